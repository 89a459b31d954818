//! An S3 server over a local folder, on loopback: it checks SigV4 signatures (headers and
//! presigned links) and link expiry like a real server. The tests run against it.

mod backend;
pub mod embedded;
mod key_index;

use std::net::SocketAddr;
use std::path::Path;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;

pub use backend::LocalBackend;

/// The keys the server accepts. `Debug` hides the secret.
#[derive(Clone)]
pub struct ServerKeys {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerKeys")
            .field("access_key", &self.access_key)
            .field("secret_key", &"** redacted **")
            .finish()
    }
}

/// The default policy: any request signed with the server's keys may do anything; anonymous ones nothing.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequestsOnly;

impl s3s::access::S3Access for SignedRequestsOnly {}

/// A running local S3 server. It stops when dropped.
#[derive(Debug)]
pub struct LocalServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl LocalServer {
    /// Starts a server on `addr` (port 0 picks a free one) over `data_dir`, accepting only `keys`.
    /// Must be called within a tokio runtime; connections are served on it.
    pub async fn start(data_dir: &Path, addr: SocketAddr, keys: &ServerKeys, region: &str) -> std::io::Result<Self> {
        Self::start_with_access(data_dir, addr, keys, region, SignedRequestsOnly).await
    }

    /// Like [`LocalServer::start`], with an access policy on top of the key check
    /// (e.g. a bucket that may not be listed).
    pub async fn start_with_access(
        data_dir: &Path,
        addr: SocketAddr,
        keys: &ServerKeys,
        region: &str,
        access: impl s3s::access::S3Access,
    ) -> std::io::Result<Self> {
        let backend = LocalBackend::new(
            data_dir.join("objects"),
            data_dir.join("keys"),
            data_dir.join("uploads"),
            region.to_owned(),
        )?;
        let mut builder = S3ServiceBuilder::new(backend);
        builder.set_auth(SimpleAuth::from_single(keys.access_key.clone(), keys.secret_key.clone()));
        builder.set_access(access);
        let service = builder.build();
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let _ = socket.set_nodelay(true);
                let conn = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        Ok(LocalServer { addr, task })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint URL, e.g. `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
