//! The built-in store's keys: every object is kept by s3s-fs under a fixed-length name (the SHA-256 of
//! its key), and the real keys live in this index — in memory for listing, one small JSON file per
//! object on disk.
//!
//! Why: s3s-fs stores an object at the path its key spells, so it cannot keep keys with `//`, a leading
//! `/`, `.` or `..` segments, or segments over 255 bytes, nor a key `a` beside a key `a/b`; and it walks
//! the whole bucket folder for every 1,000-key page. With hashed names any key S3 allows is stored, and
//! a page is a range read of a sorted map.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The name s3s-fs keeps the object with `key` under.
pub fn stored_name(key: &str) -> String {
    sha2::Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// What a listing shows of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Size in bytes.
    pub size: u64,
    /// The ETag, without quotes.
    pub etag: Option<String>,
    /// Last modified.
    pub modified: SystemTime,
}

/// The sidecar file of one object.
#[derive(Serialize, Deserialize)]
struct Sidecar {
    key: String,
    #[serde(flatten)]
    entry: IndexEntry,
}

/// One page of a listing.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IndexPage {
    /// Objects, in key order.
    pub objects: Vec<(String, IndexEntry)>,
    /// Common prefixes (with a delimiter), in order.
    pub prefixes: Vec<String>,
    /// The last key or prefix returned when more follow: where the next page starts (exclusive).
    pub next_after: Option<String>,
}

/// All keys of all buckets.
#[derive(Debug)]
pub struct KeyIndex {
    dir: PathBuf,
    buckets: RwLock<HashMap<String, BTreeMap<String, IndexEntry>>>,
}

impl KeyIndex {
    /// Loads the index kept in `dir` (one folder per bucket).
    pub fn load(dir: &Path) -> std::io::Result<KeyIndex> {
        std::fs::create_dir_all(dir)?;
        let mut buckets = HashMap::new();
        for bucket in std::fs::read_dir(dir)? {
            let bucket = bucket?;
            if !bucket.file_type()?.is_dir() {
                continue;
            }
            let mut keys = BTreeMap::new();
            for file in std::fs::read_dir(bucket.path())? {
                let bytes = std::fs::read(file?.path())?;
                if let Ok(sidecar) = serde_json::from_slice::<Sidecar>(&bytes) {
                    keys.insert(sidecar.key, sidecar.entry);
                }
            }
            buckets.insert(bucket.file_name().to_string_lossy().into_owned(), keys);
        }
        Ok(KeyIndex { dir: dir.to_owned(), buckets: RwLock::new(buckets) })
    }

    fn sidecar_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.dir.join(bucket).join(format!("{}.json", stored_name(key)))
    }

    /// Records that `key` now holds an object.
    pub fn insert(&self, bucket: &str, key: &str, entry: IndexEntry) -> std::io::Result<()> {
        let path = self.sidecar_path(bucket, key);
        std::fs::create_dir_all(path.parent().expect("has a bucket folder"))?;
        let sidecar = Sidecar { key: key.to_owned(), entry: entry.clone() };
        std::fs::write(&path, serde_json::to_vec(&sidecar).map_err(std::io::Error::other)?)?;
        let mut buckets = self.buckets.write().unwrap_or_else(|p| p.into_inner());
        buckets.entry(bucket.to_owned()).or_default().insert(key.to_owned(), entry);
        Ok(())
    }

    /// Records that `key` holds nothing any more.
    pub fn remove(&self, bucket: &str, key: &str) {
        let _ = std::fs::remove_file(self.sidecar_path(bucket, key));
        if let Some(keys) = self.buckets.write().unwrap_or_else(|p| p.into_inner()).get_mut(bucket) {
            keys.remove(key);
        }
    }

    /// Forgets a bucket (deleted).
    pub fn remove_bucket(&self, bucket: &str) {
        let _ = std::fs::remove_dir_all(self.dir.join(bucket));
        self.buckets.write().unwrap_or_else(|p| p.into_inner()).remove(bucket);
    }

    /// Up to `max` objects and common prefixes under `prefix`, after `after` (exclusive), in key order;
    /// with a `delimiter`, keys that continue past it below the prefix are rolled up into one prefix each.
    pub fn list(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        after: Option<&str>,
        max: usize,
    ) -> IndexPage {
        let buckets = self.buckets.read().unwrap_or_else(|p| p.into_inner());
        let mut page = IndexPage::default();
        let Some(keys) = buckets.get(bucket) else { return page };
        let delimiter = delimiter.filter(|d| !d.is_empty());
        let start = match after {
            Some(after) if after >= prefix => std::ops::Bound::Excluded(after.to_owned()),
            _ => std::ops::Bound::Included(prefix.to_owned()),
        };
        let mut last: Option<String> = None;
        for (key, entry) in keys.range((start, std::ops::Bound::Unbounded)) {
            let Some(rest) = key.strip_prefix(prefix) else { break };
            let rolled_up = delimiter.and_then(|d| rest.find(d).map(|at| format!("{prefix}{}", &rest[..at + d.len()])));
            if let Some(common) = &rolled_up {
                // Already returned (on this page or, as `after`, on the one before): skip its keys.
                if last.as_deref() == Some(common.as_str()) || after == Some(common.as_str()) {
                    continue;
                }
            }
            if page.objects.len() + page.prefixes.len() == max {
                page.next_after = last;
                return page;
            }
            match rolled_up {
                Some(common) => {
                    last = Some(common.clone());
                    page.prefixes.push(common);
                }
                None => {
                    last = Some(key.clone());
                    page.objects.push((key.clone(), entry.clone()));
                }
            }
        }
        page
    }
}

/// Moves a bucket folder written by plain s3s-fs (objects at the paths their keys spell) to hashed
/// names, recording each key; `objects_dir` holds s3s-fs's bucket folders and metadata files.
pub fn migrate_plain_layout(objects_dir: &Path, bucket: &str, index: &KeyIndex) -> std::io::Result<usize> {
    let bucket_dir = objects_dir.join(bucket);
    let mut moved = 0;
    let mut stack = vec![bucket_dir.clone()];
    let mut dirs = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                stack.push(path.clone());
                dirs.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(&bucket_dir) else { continue };
            let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            let hashed = stored_name(&key);
            let is_hashed = dir == bucket_dir && key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
            if is_hashed {
                continue;
            }
            std::fs::rename(&path, bucket_dir.join(&hashed))?;
            let b64 = |s: &str| base64_simd::URL_SAFE_NO_PAD.encode_to_string(s);
            for kind in ["metadata", "internal"] {
                let old = objects_dir.join(format!(".bucket-{}.object-{}.{kind}.json", b64(bucket), b64(&key)));
                if old.exists() {
                    let new = objects_dir.join(format!(".bucket-{}.object-{}.{kind}.json", b64(bucket), b64(&hashed)));
                    std::fs::rename(old, new)?;
                }
            }
            let meta = std::fs::metadata(bucket_dir.join(&hashed))?;
            let etag = std::fs::read(objects_dir.join(format!(
                ".bucket-{}.object-{}.internal.json",
                b64(bucket),
                b64(&hashed)
            )))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("e_tag").and_then(|e| e.as_str()).map(str::to_owned));
            index.insert(bucket, &key, IndexEntry { size: meta.len(), etag, modified: meta.modified()? })?;
            moved += 1;
        }
    }
    // Deepest first: the folders the keys spelled are empty now.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        let _ = std::fs::remove_dir(dir);
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(size: u64) -> IndexEntry {
        IndexEntry { size, etag: None, modified: SystemTime::UNIX_EPOCH }
    }

    fn index(keys: &[&str]) -> (tempfile::TempDir, KeyIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = KeyIndex::load(dir.path()).unwrap();
        for key in keys {
            index.insert("b", key, entry(1)).unwrap();
        }
        (dir, index)
    }

    fn names(page: &IndexPage) -> (Vec<&str>, Vec<&str>) {
        (page.objects.iter().map(|(k, _)| k.as_str()).collect(), page.prefixes.iter().map(String::as_str).collect())
    }

    #[test]
    fn lists_folders_and_pages_like_s3() {
        let (_dir, index) = index(&["a/1", "a/2", "a/sub/x", "a/sub/y", "a/t", "b", "/lead", "a//double", "a/"]);
        let page = index.list("b", "a/", Some("/"), None, 1000);
        assert_eq!(names(&page), (vec!["a/", "a/1", "a/2", "a/t"], vec!["a//", "a/sub/"]));
        assert_eq!(page.next_after, None);

        // Two at a time: the roll-up of a/sub/ counts once and is not repeated on the next page.
        let mut after = None;
        let mut seen = Vec::new();
        loop {
            let page = index.list("b", "a/", Some("/"), after.as_deref(), 2);
            let (objects, prefixes) = names(&page);
            seen.extend(objects.iter().chain(&prefixes).map(|s| s.to_string()));
            match page.next_after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(seen, ["a/", "a//", "a/1", "a/2", "a/sub/", "a/t"]);

        let all = index.list("b", "", None, None, 1000);
        assert_eq!(all.objects.len(), 9, "recursive: every key");
        assert_eq!(index.list("b", "", Some("/"), None, 1000).prefixes, ["/", "a/"]);
    }

    #[test]
    fn survives_a_restart_and_forgets_deleted_keys() {
        let (dir, index) = index(&["x/../y", "./z", "é/ü"]);
        index.remove("b", "./z");
        drop(index);
        let again = KeyIndex::load(dir.path()).unwrap();
        assert_eq!(names(&again.list("b", "", None, None, 10)).0, ["x/../y", "é/ü"]);
    }

    #[test]
    fn moves_a_plain_s3s_fs_folder_to_hashed_names() {
        let objects = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(objects.path().join("shared/docs/sub")).unwrap();
        std::fs::write(objects.path().join("shared/docs/sub/a.txt"), "hello").unwrap();
        std::fs::write(objects.path().join("shared/top.txt"), "hi").unwrap();
        let index = KeyIndex::load(keys.path()).unwrap();
        assert_eq!(migrate_plain_layout(objects.path(), "shared", &index).unwrap(), 2);
        assert_eq!(std::fs::read(objects.path().join("shared").join(stored_name("docs/sub/a.txt"))).unwrap(), b"hello");
        assert!(!objects.path().join("shared/docs").exists(), "the old folders are gone");
        assert_eq!(names(&index.list("shared", "", None, None, 10)).0, ["docs/sub/a.txt", "top.txt"]);
        assert_eq!(migrate_plain_layout(objects.path(), "shared", &index).unwrap(), 0, "nothing twice");
    }
}
