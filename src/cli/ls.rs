//! `s3share ls`: buckets, one folder, or everything under a prefix.

use std::io::Write;

use serde_json::json;

use super::output::{listing_time, print_line};
use crate::store::{S3Location, Store};

/// Lists buckets (no location) or a folder; prints each page as soon as it arrives.
pub async fn run(store: &Store, location: Option<S3Location>, recursive: bool, json: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let Some(location) = location else {
        for bucket in store.list_buckets().await? {
            let line = if json {
                serde_json::to_string(&bucket)?
            } else {
                format!("{} {}", listing_time(bucket.created), bucket.name)
            };
            print_line(&mut out, &line)?;
        }
        return Ok(out.flush()?);
    };
    let mut listing = store.list_folder(&location, recursive).await?;
    while let Some(page) = listing.next_page().await {
        let page = page?;
        for folder in &page.folders {
            let line = if json {
                json!({ "type": "folder", "prefix": folder }).to_string()
            } else {
                format!("{:>30} {}", "PRE", relative(folder, &location.key, recursive))
            };
            print_line(&mut out, &line)?;
        }
        for object in &page.objects {
            let line = if json {
                let mut value = serde_json::to_value(object)?;
                value["type"] = json!("object");
                value.to_string()
            } else {
                format!(
                    "{} {:>10} {}",
                    listing_time(object.last_modified),
                    object.size,
                    relative(&object.key, &location.key, recursive)
                )
            };
            print_line(&mut out, &line)?;
        }
        out.flush()?;
    }
    Ok(out.flush()?)
}

/// Names relative to the folder the listed prefix is in (as `aws s3 ls` shows them: `ls s3://b/docs/re`
/// shows `report.pdf`, not `port.pdf`); full keys when recursive.
fn relative<'a>(key: &'a str, prefix: &str, recursive: bool) -> &'a str {
    let folder = &prefix[..prefix.rfind('/').map_or(0, |slash| slash + 1)];
    if recursive { key } else { key.strip_prefix(folder).unwrap_or(key) }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn names_are_shown_relative_to_the_folder_of_the_prefix() {
        assert_eq!(relative("docs/report.pdf", "docs/", false), "report.pdf");
        assert_eq!(relative("docs/report.pdf", "docs/re", false), "report.pdf");
        assert_eq!(relative("docs/report.pdf", "docs/report.pdf", false), "report.pdf");
        assert_eq!(relative("docs/old/", "docs/o", false), "old/");
        assert_eq!(relative("report.pdf", "rep", false), "report.pdf");
        assert_eq!(relative("docs/report.pdf", "docs/re", true), "docs/report.pdf");
    }
}
