//! The folder being browsed: its rows as they stream in, the filter, the sort order and the selection.
//! Filtering and sorting are done once per change, never per frame: a frame only reads `visible`.

use chrono::{DateTime, Utc};

use crate::store::{ListingPage, S3Location};

/// One row: a sub-folder or an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The name shown (relative to the folder; folders end in `/`).
    pub name: String,
    /// The full key (or prefix for folders).
    pub key: String,
    /// A folder rather than an object.
    pub is_folder: bool,
    /// Size in bytes (0 for folders).
    pub size: u64,
    /// Last modified (objects).
    pub modified: Option<DateTime<Utc>>,
}

/// The column rows are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// By name.
    #[default]
    Name,
    /// By size.
    Size,
    /// By last modified.
    Modified,
}

/// How the listing is going.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ListingStatus {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Pages are arriving.
    Loading,
    /// All pages are in.
    Complete,
    /// It failed (the message is in the app's errors).
    Failed,
}

/// The browser's state.
#[derive(Debug, Default)]
pub struct Browser {
    /// The folder shown: bucket and prefix.
    pub folder: Option<S3Location>,
    /// Which listing the rows belong to.
    pub generation: u64,
    /// All rows received.
    pub rows: Vec<Row>,
    /// Indices into `rows`, all of them, in sort order (so filtering never sorts).
    order: Vec<usize>,
    /// Every row's name, lowercased, one after the other: filtering is one substring search over it.
    search_text: String,
    /// Where each row's name starts in `search_text` (and, one past the last, where the text ends).
    search_starts: Vec<usize>,
    /// Indices into `rows` that pass the filter, in sort order.
    pub visible: Vec<usize>,
    /// The filter text (case-insensitive substring of the name).
    pub filter: String,
    /// Sort column.
    pub sort: SortColumn,
    /// Ascending order.
    pub ascending: bool,
    /// The selected row (index into `rows`).
    pub selected: Option<usize>,
    /// Listing progress.
    pub status: ListingStatus,
}

impl Browser {
    /// Starts showing `folder`: clears the rows and returns the new generation to list with.
    pub fn open(&mut self, folder: S3Location) -> u64 {
        self.generation += 1;
        self.folder = Some(folder);
        self.rows.clear();
        self.order.clear();
        self.search_text.clear();
        self.search_starts.clear();
        self.visible.clear();
        self.selected = None;
        self.filter.clear();
        self.status = ListingStatus::Loading;
        if self.sort == SortColumn::Name && !self.ascending {
            self.ascending = true;
        }
        self.generation
    }

    /// Adds a page if it belongs to the current listing.
    pub fn add_page(&mut self, generation: u64, page: ListingPage) {
        if generation != self.generation {
            return;
        }
        let Some(folder) = &self.folder else { return };
        let prefix = folder.key.clone();
        let relative = |key: &str| key.strip_prefix(prefix.as_str()).unwrap_or(key).to_owned();
        self.rows.extend(page.folders.into_iter().map(|p| Row {
            name: relative(&p),
            key: p,
            is_folder: true,
            size: 0,
            modified: None,
        }));
        self.rows.extend(page.objects.into_iter().filter(|o| o.key != prefix).map(|o| Row {
            name: relative(&o.key),
            key: o.key,
            is_folder: false,
            size: o.size,
            modified: o.last_modified,
        }));
        for row in &self.rows[self.search_starts.len().saturating_sub(1)..] {
            if self.search_starts.is_empty() {
                self.search_starts.push(0);
            }
            self.search_text.push_str(&row.name.to_lowercase());
            self.search_starts.push(self.search_text.len());
        }
        self.resort();
    }

    /// Marks the listing complete or failed (if it is the current one).
    pub fn finish(&mut self, generation: u64, status: ListingStatus) {
        if generation == self.generation {
            self.status = status;
        }
    }

    /// Sets the filter and recomputes what is visible (a pass over the sorted rows; no sorting).
    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refilter();
    }

    /// Sorts by `column`; clicking the current column again flips the order.
    pub fn sort_by(&mut self, column: SortColumn) {
        if self.sort == column {
            self.ascending = !self.ascending;
        } else {
            self.sort = column;
            self.ascending = true;
        }
        self.resort();
    }

    /// Recomputes the sort order of all rows, then what is visible. Folders always come first.
    fn resort(&mut self) {
        let rows = &self.rows;
        self.order.clear();
        self.order.extend(0..rows.len());
        let (sort, ascending) = (self.sort, self.ascending);
        self.order.sort_unstable_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            let order = match sort {
                SortColumn::Name => a.name.cmp(&b.name),
                SortColumn::Size => a.size.cmp(&b.size).then_with(|| a.name.cmp(&b.name)),
                SortColumn::Modified => a.modified.cmp(&b.modified).then_with(|| a.name.cmp(&b.name)),
            };
            b.is_folder.cmp(&a.is_folder).then(if ascending { order } else { order.reverse() })
        });
        self.refilter();
    }

    /// Recomputes `visible`: the sorted rows that pass the filter.
    fn refilter(&mut self) {
        self.visible.clear();
        if self.filter.is_empty() {
            self.visible.extend_from_slice(&self.order);
            return;
        }
        let matched = self.rows_matching(&self.filter.to_lowercase());
        self.visible.extend(self.order.iter().copied().filter(|&i| matched[i]));
    }

    /// Which rows' names contain `needle` (lowercase), by one pass of memmem over all names.
    fn rows_matching(&self, needle: &str) -> Vec<bool> {
        let mut matched = vec![false; self.rows.len()];
        let starts = &self.search_starts;
        for pos in memchr::memmem::find_iter(self.search_text.as_bytes(), needle.as_bytes()) {
            let row = starts.partition_point(|&s| s <= pos) - 1;
            // A hit that runs into the next name is not a hit.
            if row < matched.len() && pos + needle.len() <= starts[row + 1] {
                matched[row] = true;
            }
        }
        matched
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&Row> {
        self.selected.and_then(|i| self.rows.get(i))
    }

    /// The selected object's location (not for folders).
    pub fn selected_object(&self) -> Option<S3Location> {
        let row = self.selected_row().filter(|r| !r.is_folder)?;
        let folder = self.folder.as_ref()?;
        Some(S3Location { bucket: folder.bucket.clone(), key: row.key.clone() })
    }

    /// The row `delta` visible rows away from the selection (the first row if nothing is selected).
    pub fn neighbour(&self, delta: isize) -> Option<usize> {
        if self.visible.is_empty() {
            return None;
        }
        let next = match self.selected_position() {
            None => 0,
            Some(pos) => (pos as isize + delta).clamp(0, self.visible.len() as isize - 1) as usize,
        };
        Some(self.visible[next])
    }

    /// Position of the selection among the visible rows.
    pub fn selected_position(&self) -> Option<usize> {
        self.selected.and_then(|s| self.visible.iter().position(|&v| v == s))
    }

    /// The parent folder of the current one (`None` at the bucket's root).
    pub fn parent(&self) -> Option<S3Location> {
        let folder = self.folder.as_ref()?;
        if folder.key.is_empty() {
            return None;
        }
        let trimmed = folder.key.trim_end_matches('/');
        let parent = trimmed.rfind('/').map_or(String::new(), |i| trimmed[..=i].to_owned());
        Some(S3Location { bucket: folder.bucket.clone(), key: parent })
    }

    /// The breadcrumbs: (label, folder) from the bucket's root down to the current folder.
    pub fn breadcrumbs(&self) -> Vec<(String, S3Location)> {
        let Some(folder) = &self.folder else { return Vec::new() };
        let mut crumbs =
            vec![(folder.bucket.clone(), S3Location { bucket: folder.bucket.clone(), key: String::new() })];
        let mut prefix = String::new();
        for part in folder.key.split_inclusive('/') {
            prefix.push_str(part);
            crumbs.push((
                part.trim_end_matches('/').to_owned(),
                S3Location { bucket: folder.bucket.clone(), key: prefix.clone() },
            ));
        }
        crumbs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ObjectEntry;

    fn page(folders: &[&str], objects: &[(&str, u64)]) -> ListingPage {
        ListingPage {
            folders: folders.iter().map(|s| s.to_string()).collect(),
            objects: objects
                .iter()
                .map(|(k, s)| ObjectEntry {
                    key: k.to_string(),
                    size: *s,
                    last_modified: None,
                    etag: None,
                    storage_class: None,
                })
                .collect(),
        }
    }

    fn names(b: &Browser) -> Vec<&str> {
        b.visible.iter().map(|&i| b.rows[i].name.as_str()).collect()
    }

    #[test]
    fn pages_filter_sort_and_stale_generations() {
        let mut b = Browser::default();
        let g = b.open(S3Location { bucket: "bkt".into(), key: "docs/".into() });
        b.add_page(g, page(&["docs/zeta/"], &[("docs/b.txt", 30), ("docs/A.pdf", 10)]));
        b.add_page(g - 1, page(&[], &[("docs/stale.txt", 1)]));
        b.add_page(g, page(&[], &[("docs/c.txt", 20)]));
        assert_eq!(names(&b), ["zeta/", "A.pdf", "b.txt", "c.txt"]);
        b.sort_by(SortColumn::Size);
        assert_eq!(names(&b), ["zeta/", "A.pdf", "c.txt", "b.txt"]);
        b.sort_by(SortColumn::Size);
        assert_eq!(names(&b), ["zeta/", "b.txt", "c.txt", "A.pdf"]);
        b.set_filter("A.".into());
        assert_eq!(names(&b), ["A.pdf"]);
        b.set_filter("TXT".into());
        assert_eq!(names(&b), ["b.txt", "c.txt"]);
    }

    #[test]
    fn filter_matches_within_one_name_any_case() {
        let mut b = Browser::default();
        let g = b.open(S3Location { bucket: "bkt".into(), key: String::new() });
        b.add_page(g, page(&[], &[("ab", 1), ("cd", 1)]));
        b.add_page(g, page(&[], &[("Ünïcode Ab.txt", 1)]));
        b.set_filter("bc".into());
        assert!(names(&b).is_empty(), "a hit across two names is no hit");
        b.set_filter("ÜN".into());
        assert_eq!(names(&b), ["Ünïcode Ab.txt"]);
        b.set_filter("ab".into());
        assert_eq!(names(&b), ["ab", "Ünïcode Ab.txt"]);
    }

    #[test]
    fn selection_moves_within_visible_rows() {
        let mut b = Browser::default();
        let g = b.open(S3Location { bucket: "bkt".into(), key: String::new() });
        b.add_page(g, page(&["f/"], &[("a", 1), ("b", 2)]));
        b.selected = b.neighbour(1);
        assert_eq!(b.selected_row().unwrap().name, "f/");
        assert_eq!(b.selected_object(), None, "a folder is not an object");
        b.selected = b.neighbour(5);
        assert_eq!(b.selected_object().unwrap().key, "b");
        b.selected = b.neighbour(-1);
        assert_eq!(b.selected_row().unwrap().name, "a");
    }

    #[test]
    fn parents_and_breadcrumbs() {
        let mut b = Browser::default();
        b.open(S3Location { bucket: "bkt".into(), key: "a/b/".into() });
        assert_eq!(b.parent().unwrap().key, "a/");
        let crumbs: Vec<_> = b.breadcrumbs().into_iter().map(|(l, f)| (l, f.key)).collect();
        assert_eq!(crumbs, [("bkt".into(), "".into()), ("a".into(), "a/".into()), ("b".into(), "a/b/".into())]);
        b.open(S3Location { bucket: "bkt".into(), key: String::new() });
        assert_eq!(b.parent(), None);
    }
}
