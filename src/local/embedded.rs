//! The store s3share carries with it: the local server over a folder in the data directory, with
//! keys made on first start (kept owner-only) and a port remembered between runs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{LocalServer, ServerKeys};

/// The region the local store reports.
pub const LOCAL_REGION: &str = "us-east-1";
/// The bucket made on first start, so there is somewhere to upload to.
pub const FIRST_BUCKET: &str = "shared";

/// What the store remembers about itself, in `store.json` (owner-only: it holds the secret key).
#[derive(Clone, Serialize, Deserialize)]
struct StoreFile {
    access_key: String,
    secret_key: String,
    port: u16,
}

/// A running local store and how to reach it.
#[derive(Debug)]
pub struct EmbeddedStore {
    /// The server; it stops when this is dropped.
    pub server: LocalServer,
    /// The keys it accepts.
    pub keys: ServerKeys,
    /// The folder it keeps everything in.
    pub dir: PathBuf,
}

impl EmbeddedStore {
    /// The endpoint URL clients (and links) use.
    pub fn endpoint(&self) -> String {
        self.server.endpoint()
    }

    /// `AWS_…` lines that point any S3 tool at this store.
    pub fn env_lines(&self) -> [String; 4] {
        [
            format!("AWS_ENDPOINT_URL={}", self.endpoint()),
            format!("AWS_ACCESS_KEY_ID={}", self.keys.access_key),
            format!("AWS_SECRET_ACCESS_KEY={}", self.keys.secret_key),
            format!("AWS_REGION={LOCAL_REGION}"),
        ]
    }
}

/// The default folder of the local store: `<data dir>/s3share/local-store`.
pub fn default_dir() -> Option<PathBuf> {
    crate::data_dir().map(|d| d.join("local-store"))
}

/// Where a local store binds: this computer only, or the local network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// 127.0.0.1: links work on this computer only.
    ThisComputer,
    /// This computer's address on the local network: anyone on it who has a link can use it.
    LocalNetwork,
}

/// Starts the store kept in `dir` (created, with new keys and a first bucket, if new).
/// `addr` overrides the address; otherwise the remembered port is tried first, then any free one.
pub async fn start(dir: &Path, reach: Reach, addr: Option<SocketAddr>) -> std::io::Result<EmbeddedStore> {
    std::fs::create_dir_all(dir)?;
    let file_path = dir.join("store.json");
    let mut file = match std::fs::read(&file_path) {
        Ok(bytes) => serde_json::from_slice::<StoreFile>(&bytes).map_err(std::io::Error::other)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let objects = dir.join("objects").join(FIRST_BUCKET);
            std::fs::create_dir_all(objects)?;
            StoreFile {
                access_key: format!("S3SHARE{}", random_hex(6).to_uppercase()),
                secret_key: random_hex(20),
                port: 0,
            }
        }
        Err(e) => return Err(e),
    };
    let keys = ServerKeys { access_key: file.access_key.clone(), secret_key: file.secret_key.clone() };
    let ip = match reach {
        Reach::ThisComputer => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Reach::LocalNetwork => lan_address().ok_or_else(|| std::io::Error::other("no local network address found"))?,
    };
    let server = match addr {
        Some(addr) => LocalServer::start(dir, addr, &keys, LOCAL_REGION).await?,
        None => match LocalServer::start(dir, SocketAddr::new(ip, file.port), &keys, LOCAL_REGION).await {
            Ok(server) => server,
            Err(_) if file.port != 0 => LocalServer::start(dir, SocketAddr::new(ip, 0), &keys, LOCAL_REGION).await?,
            Err(e) => return Err(e),
        },
    };
    if file.port != server.addr().port() && addr.is_none() {
        file.port = server.addr().port();
    }
    crate::private_file::write_private(&file_path, &serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?)?;
    Ok(EmbeddedStore { server, keys, dir: dir.to_owned() })
}

/// This computer's address on the local network (the one a route to the internet would use;
/// no packet is sent).
pub fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// `bytes` random bytes as hex, from the OS's randomness.
fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS has a source of randomness");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_and_port_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let first = start(dir.path(), Reach::ThisComputer, None).await.unwrap();
        let (keys, port) = (first.keys.clone(), first.server.addr().port());
        assert!(dir.path().join("objects").join(FIRST_BUCKET).is_dir());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("store.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(first);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let second = start(dir.path(), Reach::ThisComputer, None).await.unwrap();
        assert_eq!(second.keys.secret_key, keys.secret_key);
        assert_eq!(second.server.addr().port(), port);
        assert_eq!(second.env_lines()[0], format!("AWS_ENDPOINT_URL=http://127.0.0.1:{port}"));
        assert_ne!(keys.secret_key.len(), 0);
    }
}
