//! `s3share uploads`: the multipart uploads left open in a bucket, and `--abort` to discard them.

use std::io::Write;

use super::output::{listing_time, print_line};
use crate::store::{S3Location, Store, UploadJournal};

/// Prints one "begun  s3://bucket/key  upload-id" line per open upload under `location`; with
/// `abort`, aborts each and prints "aborted s3://bucket/key" instead. Aborted uploads leave the
/// journal too, so a later `put` does not try to pick them up.
pub async fn run(
    store: &Store,
    location: &S3Location,
    abort: bool,
    journal: Option<&UploadJournal>,
) -> anyhow::Result<()> {
    let open = store.open_multipart_uploads(&location.bucket, &location.key).await?;
    if open.is_empty() {
        eprintln!("no unfinished uploads under {location}");
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for upload in &open {
        let target = S3Location { bucket: location.bucket.clone(), key: upload.key.clone() };
        if abort {
            store.abort_upload(&target, &upload.upload_id).await?;
            if let Some(journal) = journal {
                journal.forget(&upload.upload_id);
            }
            print_line(&mut out, &format!("aborted {target}"))?;
        } else {
            print_line(&mut out, &format!("{}  {target}  {}", listing_time(upload.initiated), upload.upload_id))?;
        }
    }
    out.flush()?;
    if !abort {
        eprintln!("{} unfinished; `s3share uploads --abort {location}` discards them", open.len());
    }
    Ok(())
}
