//! Presigning speed: one GET link, and 1,000 links for a folder ("share this folder"),
//! through the SDK's presigner with one shared client. The server runs in-process; presigning
//! itself makes no request once the bucket's region is known.

use std::net::SocketAddr;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use criterion::{Criterion, criterion_group, criterion_main};
use s3share::local::{LocalServer, ServerKeys};
use s3share::share::{CredentialEndPolicy, LinkExpiry, LinkKind, LinkRequest, create_link, create_links};
use s3share::store::{ConnectionConfig, S3Location, Store};

fn presign(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = ServerKeys { access_key: "AKBENCHMARK".into(), secret_key: "bench-secret-key".into() };
    let (store, _server) = runtime.block_on(async {
        let server =
            LocalServer::start(dir.path(), SocketAddr::from(([127, 0, 0, 1], 0)), &keys, "us-east-1").await.unwrap();
        let store = Store::connect(ConnectionConfig {
            endpoint_url: Some(server.endpoint()),
            region: Some("us-east-1".into()),
            credentials: Some(SharedCredentialsProvider::new(Credentials::new(
                &keys.access_key,
                &keys.secret_key,
                None,
                None,
                "bench",
            ))),
            ..ConnectionConfig::default()
        })
        .await
        .unwrap();
        store.create_bucket("bench").await.unwrap();
        (store, server)
    });
    let request = |key: String| LinkRequest {
        location: S3Location::new("bench", key).unwrap(),
        kind: LinkKind::Download { download_name: None, version_id: None },
        expiry: LinkExpiry::parse("1h").unwrap(),
        policy: CredentialEndPolicy::Warn,
    };
    let one = request("docs/report.pdf".into());
    runtime.block_on(create_link(&store, &one)).unwrap(); // learns the bucket's region

    c.bench_function("presign one GET link", |b| {
        b.iter(|| runtime.block_on(create_link(&store, &one)).unwrap());
    });

    let folder: Vec<LinkRequest> = (0..1000).map(|i| request(format!("folder/file-{i:04}.bin"))).collect();
    let mut group = c.benchmark_group("share a folder");
    group.sample_size(20);
    group.bench_function("1,000 GET links", |b| {
        b.iter(|| {
            let links = runtime.block_on(create_links(&store, folder.clone()));
            assert!(links.iter().all(Result::is_ok));
        });
    });
    group.finish();
}

criterion_group!(benches, presign);
criterion_main!(benches);
