//! A fault-injecting HTTP proxy on 127.0.0.1, between the client under test and the S3 server.
//!
//! Requests are forwarded unchanged (the Host header too, so SigV4 signatures still check out) unless a
//! planned [`Fault`] matches: then the proxy answers with an error status, resets the connection part-way
//! through the request or the response, stalls, or trickles the response out slowly.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, BodyStream, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Upstream = Arc<tokio::sync::Mutex<Option<hyper::client::conn::http1::SendRequest<Incoming>>>>;
type ProxyBody = BoxBody<Bytes, BoxError>;

/// What a fault does to the request it hits.
#[derive(Debug, Clone, Copy)]
pub enum FaultKind {
    /// Answer with this status and an S3 error document, without asking the server.
    Status(u16),
    /// Read this many bytes of the request body, then drop the connection without answering.
    ResetRequestAfter(usize),
    /// Forward the request, pass this many bytes of the response body, then drop the connection.
    ResetResponseAfter(usize),
    /// Wait this long before forwarding.
    Stall(Duration),
    /// Forward, but send the response body in chunks of this many bytes with a pause between them.
    Slow { chunk: usize, pause: Duration },
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Every request.
    Any,
    /// `PUT ...?partNumber=` (UploadPart).
    UploadPart,
    /// UploadPart of the parts numbered `from` to `to`, both included.
    UploadParts { from: u32, to: u32 },
    /// `POST ...?uploadId=` (CompleteMultipartUpload).
    CompleteUpload,
    /// `POST ...?uploads` (CreateMultipartUpload).
    CreateUpload,
    /// `GET` of an object (a path below the bucket).
    GetObject,
    /// `GET` of a bucket with `list-type=2` and a continuation token: every page after the first.
    LaterListPage,
}

impl Target {
    fn matches(self, req: &Request<Incoming>) -> bool {
        let query = req.uri().query().unwrap_or("");
        let method = req.method();
        let object_path = req.uri().path().trim_start_matches('/').contains('/');
        match self {
            Target::Any => true,
            Target::UploadPart => method == hyper::Method::PUT && query.contains("partNumber="),
            Target::UploadParts { from, to } => {
                let number = query.split('&').find_map(|p| p.strip_prefix("partNumber=")?.parse::<u32>().ok());
                method == hyper::Method::PUT && number.is_some_and(|n| (from..=to).contains(&n))
            }
            Target::CompleteUpload => method == hyper::Method::POST && query.contains("uploadId="),
            Target::CreateUpload => {
                method == hyper::Method::POST && query.split('&').any(|p| p == "uploads" || p == "uploads=")
            }
            Target::GetObject => method == hyper::Method::GET && object_path,
            Target::LaterListPage => {
                method == hyper::Method::GET && query.contains("list-type=2") && query.contains("continuation-token=")
            }
        }
    }
}

/// One planned fault: hits the next `times` requests that match `target`.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    pub target: Target,
    pub kind: FaultKind,
    /// How many matching requests it hits; `usize::MAX` for all of them.
    pub times: usize,
}

impl Fault {
    /// A fault for the next `times` requests matching `target`.
    pub fn new(target: Target, kind: FaultKind, times: usize) -> Fault {
        Fault { target, kind, times }
    }

    /// A fault for every request matching `target`.
    pub fn always(target: Target, kind: FaultKind) -> Fault {
        Fault { target, kind, times: usize::MAX }
    }
}

#[derive(Default)]
struct Shared {
    plan: Mutex<Vec<Fault>>,
    injected: AtomicUsize,
    in_flight: AtomicUsize,
}

impl Shared {
    /// Takes one use of the first planned fault that matches `req`.
    fn take(&self, req: &Request<Incoming>) -> Option<FaultKind> {
        let mut plan = self.plan.lock().unwrap();
        let fault = plan.iter_mut().find(|f| f.times > 0 && f.target.matches(req))?;
        if fault.times != usize::MAX {
            fault.times -= 1;
        }
        self.injected.fetch_add(1, Ordering::SeqCst);
        Some(fault.kind)
    }
}

/// The running proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream.trim_start_matches("http://").trim_end_matches('/').parse().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn({
            let shared = shared.clone();
            async move {
                loop {
                    let Ok((socket, _)) = listener.accept().await else { continue };
                    tokio::spawn(serve_connection(socket, upstream, shared.clone()));
                }
            }
        });
        FaultProxy { addr, shared, task }
    }

    /// The endpoint to give the client: `http://127.0.0.1:port`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds faults to the plan; earlier ones are checked first.
    pub fn plan(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.plan.lock().unwrap().extend(faults);
    }

    /// Drops every planned fault: from now on requests pass unchanged.
    pub fn heal(&self) {
        self.shared.plan.lock().unwrap().clear();
    }

    /// How many faults were injected so far.
    pub fn injected(&self) -> usize {
        self.shared.injected.load(Ordering::SeqCst)
    }

    /// Requests being handled right now (a stalled one counts).
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// Planned uses not yet consumed (faults planned with `always` count as none).
    pub fn unused(&self) -> usize {
        self.shared.plan.lock().unwrap().iter().filter(|f| f.times != usize::MAX).map(|f| f.times).sum()
    }
}

async fn serve_connection(socket: tokio::net::TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    // One upstream connection per client connection, opened on the first request.
    let sender: Upstream = Arc::default();
    let service = hyper::service::service_fn(move |req| {
        let (shared, sender) = (shared.clone(), sender.clone());
        handle(req, upstream, shared, sender)
    });
    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(socket), service).await;
}

async fn handle(
    req: Request<Incoming>,
    upstream: SocketAddr,
    shared: Arc<Shared>,
    sender: Upstream,
) -> Result<Response<ProxyBody>, BoxError> {
    shared.in_flight.fetch_add(1, Ordering::SeqCst);
    let result = handle_counted(req, upstream, &shared, &sender).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    result
}

async fn handle_counted(
    req: Request<Incoming>,
    upstream: SocketAddr,
    shared: &Shared,
    sender: &Upstream,
) -> Result<Response<ProxyBody>, BoxError> {
    let fault = shared.take(&req);
    match fault {
        Some(FaultKind::Status(status)) => {
            // Drain the body so the client sees the answer rather than a broken pipe.
            req.into_body().collect().await?;
            return Ok(error_response(status));
        }
        Some(FaultKind::ResetRequestAfter(limit)) => {
            let mut body = req.into_body();
            let mut read = 0;
            while read < limit {
                match body.frame().await {
                    Some(Ok(frame)) => read += frame.data_ref().map_or(0, Bytes::len),
                    _ => break,
                }
            }
            return Err("injected reset while receiving the request".into());
        }
        Some(FaultKind::Stall(pause)) => tokio::time::sleep(pause).await,
        _ => {}
    }
    let response = forward(req, upstream, sender).await?;
    let (parts, body) = response.into_parts();
    let body = match fault {
        Some(FaultKind::ResetResponseAfter(limit)) => cut_after(body, limit),
        Some(FaultKind::Slow { chunk, pause }) => trickle(body, chunk, pause),
        _ => BodyExt::boxed(body.map_err(|e| -> BoxError { Box::new(e) })),
    };
    Ok(Response::from_parts(parts, body))
}

async fn forward(
    req: Request<Incoming>,
    upstream: SocketAddr,
    sender: &Upstream,
) -> Result<Response<Incoming>, BoxError> {
    let mut guard = sender.lock().await;
    let reusable = guard.as_ref().is_some_and(|s| !s.is_closed());
    if !reusable {
        let stream = tokio::net::TcpStream::connect(upstream).await?;
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        *guard = Some(send);
    }
    let send = guard.as_mut().unwrap();
    send.ready().await?;
    Ok(send.send_request(req).await?)
}

fn error_response(status: u16) -> Response<ProxyBody> {
    let code = match status {
        503 => "ServiceUnavailable",
        500 => "InternalError",
        _ => "InjectedFault",
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected by the test proxy</Message></Error>"
    );
    Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .body(Full::new(Bytes::from(xml)).map_err(|e: Infallible| match e {}).boxed())
        .unwrap()
}

/// The response body, cut off with an error after `limit` bytes (the client sees a short body).
fn cut_after(body: Incoming, limit: usize) -> ProxyBody {
    let mut passed = 0usize;
    let frames = BodyStream::new(body).map(move |frame| -> Result<Frame<Bytes>, BoxError> {
        let frame = frame?;
        let Some(data) = frame.data_ref() else { return Ok(frame) };
        if passed >= limit {
            return Err("injected reset while sending the response".into());
        }
        let take = data.len().min(limit - passed);
        passed += take;
        Ok(Frame::data(data.slice(..take)))
    });
    // After the limit, every further frame is an error, which makes hyper drop the connection.
    BodyExt::boxed(StreamBody::new(frames.scan(false, |failed, item| {
        let stop = *failed;
        *failed |= item.is_err();
        futures::future::ready(if stop { None } else { Some(item) })
    })))
}

/// The response body in small chunks with pauses between them.
fn trickle(body: Incoming, chunk: usize, pause: Duration) -> ProxyBody {
    let frames = BodyStream::new(body).flat_map(move |frame| {
        let pieces: Vec<Result<Frame<Bytes>, BoxError>> = match frame {
            Err(e) => vec![Err(Box::new(e) as BoxError)],
            Ok(frame) => match frame.into_data() {
                Ok(data) => (0..data.len().div_ceil(chunk.max(1)))
                    .map(|i| Ok(Frame::data(data.slice(i * chunk..((i + 1) * chunk).min(data.len())))))
                    .collect(),
                Err(frame) => vec![Ok(frame)],
            },
        };
        futures::stream::iter(pieces).then(move |piece| async move {
            tokio::time::sleep(pause).await;
            piece
        })
    });
    BodyExt::boxed(StreamBody::new(frames))
}
