//! The folder being browsed: its rows as they stream in, the filter, the sort order and the selection.
//! Filtering and sorting are done once per change, never per frame: a frame only reads `visible`.

use std::cmp::Ordering;
use std::ops::Range;

use chrono::{DateTime, Utc};

use crate::store::{ListingPage, ObjectEntry, S3Location};

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
    /// The lowercase filter `visible` was last computed with, while rows and order have not changed
    /// since: a longer filter that contains it only has to look at the rows it let through.
    filtered_with: Option<String>,
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

/// From this many rows on, filtering uses a second thread.
const PARALLEL_ROWS: usize = 50_000;

/// `work` on each half of `items`, the second half on another thread when there are many.
fn in_parallel_halves<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> [R; 2] {
    if items.len() < PARALLEL_ROWS {
        return [work(items), work(&[])];
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let second = scope.spawn(|| work(second));
        let first = work(first);
        [first, second.join().expect("filtering does not panic")]
    })
}

/// How rows `a` and `b` compare when sorted by `sort`: folders first, then the column, then the name.
fn compare_rows(rows: &[Row], sort: SortColumn, ascending: bool, a: usize, b: usize) -> Ordering {
    let (a, b) = (&rows[a], &rows[b]);
    let order = match sort {
        SortColumn::Name => a.name.cmp(&b.name),
        SortColumn::Size => a.size.cmp(&b.size).then_with(|| a.name.cmp(&b.name)),
        SortColumn::Modified => a.modified.cmp(&b.modified).then_with(|| a.name.cmp(&b.name)),
    };
    b.is_folder.cmp(&a.is_folder).then(if ascending { order } else { order.reverse() })
}

/// Keeps the rows in `rows` whose lowercase name contains `needle`; row `i`'s name is
/// `search_text[starts[i]..starts[i + 1]]`.
fn retain_matching(rows: &mut Vec<usize>, needle: &str, search_text: &str, starts: &[usize]) {
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let text = search_text.as_bytes();
    rows.retain(|&i| finder.find(&text[starts[i]..starts[i + 1]]).is_some());
}

/// Merges `added` (sorted by `compare`) into `sorted` (sorted the same way), in place from the back:
/// a binary search per new item, and the old runs between them moved whole.
fn merge_sorted(sorted: &mut Vec<usize>, added: &[usize], compare: impl Fn(usize, usize) -> Ordering) {
    let mut old_end = sorted.len();
    sorted.resize(old_end + added.len(), 0);
    let mut end = sorted.len();
    for &new in added.iter().rev() {
        let at = sorted[..old_end].partition_point(|&old| compare(old, new) != Ordering::Greater);
        let run = old_end - at;
        sorted.copy_within(at..old_end, end - run);
        end -= run + 1;
        sorted[end] = new;
        old_end = at;
    }
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
        self.filtered_with = None;
        self.selected = None;
        self.filter.clear();
        self.status = ListingStatus::Loading;
        if self.sort == SortColumn::Name && !self.ascending {
            self.ascending = true;
        }
        self.generation
    }

    /// Adds a page if it belongs to the current listing, and returns the indices of the rows it added.
    /// The new rows are sorted on their own and merged into the order (and, where they pass the
    /// filter, into `visible`): a page costs one pass over the rows so far, never a full sort.
    pub fn add_page(&mut self, generation: u64, page: ListingPage) -> Range<usize> {
        let first_new = self.rows.len();
        if generation != self.generation {
            return first_new..first_new;
        }
        let Some(folder) = &self.folder else { return first_new..first_new };
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
        if self.search_starts.is_empty() {
            self.search_starts.push(0);
        }
        for row in &self.rows[first_new..] {
            self.search_text.push_str(&row.name.to_lowercase());
            self.search_starts.push(self.search_text.len());
        }
        let added = first_new..self.rows.len();
        self.merge_rows(added.clone());
        added
    }

    /// Merges the rows `added` into `order`, and those that pass the filter into `visible`.
    fn merge_rows(&mut self, added: Range<usize>) {
        let (rows, sort, ascending) = (&self.rows, self.sort, self.ascending);
        let compare = |a: usize, b: usize| compare_rows(rows, sort, ascending, a, b);
        let mut new: Vec<usize> = added.collect();
        new.sort_unstable_by(|&a, &b| compare(a, b));
        merge_sorted(&mut self.order, &new, compare);
        let needle = self.filter.to_lowercase();
        if !needle.is_empty() {
            retain_matching(&mut new, &needle, &self.search_text, &self.search_starts);
        }
        // `visible` is the order filtered by the current filter, so the passing new rows merge in.
        merge_sorted(&mut self.visible, &new, compare);
    }

    /// Puts `object` (one just uploaded, or its fresh details) in the rows of a complete listing without
    /// listing the folder again: its row is updated, or added, and moved to where the sort puts it.
    /// Returns the row's index; `None` when the object is not directly in this folder or the listing
    /// is still arriving (a page could bring the same key a second time).
    pub fn upsert_object(&mut self, object: ObjectEntry) -> Option<usize> {
        let folder = self.folder.as_ref()?;
        let name = object.key.strip_prefix(folder.key.as_str())?;
        if self.status != ListingStatus::Complete || name.is_empty() || name.contains('/') {
            return None;
        }
        let Some(index) = self.rows.iter().position(|r| !r.is_folder && r.key == object.key) else {
            let generation = self.generation;
            return Some(self.add_page(generation, ListingPage { folders: vec![], objects: vec![object] }).start);
        };
        let row = &mut self.rows[index];
        if (row.size, row.modified) == (object.size, object.last_modified) {
            return Some(index);
        }
        (row.size, row.modified) = (object.size, object.last_modified);
        self.order.retain(|&i| i != index);
        self.visible.retain(|&i| i != index);
        self.merge_rows(index..index + 1);
        Some(index)
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
        let (rows, sort, ascending) = (&self.rows, self.sort, self.ascending);
        self.order.clear();
        self.order.extend(0..rows.len());
        self.order.sort_unstable_by(|&a, &b| compare_rows(rows, sort, ascending, a, b));
        self.filtered_with = None;
        self.refilter();
    }

    /// Recomputes `visible`: the sorted rows that pass the filter. Typing one more letter only
    /// re-checks the rows already visible; anything else is one search over all names, split over
    /// two threads for big folders.
    fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        if needle.is_empty() {
            self.visible.clear();
            self.visible.extend_from_slice(&self.order);
            self.filtered_with = None;
            return;
        }
        let narrowing = self.filtered_with.as_deref().is_some_and(|before| needle.contains(before));
        if narrowing {
            retain_matching(&mut self.visible, &needle, &self.search_text, &self.search_starts);
        } else {
            let matched = self.rows_matching(needle.as_bytes());
            self.visible = in_parallel_halves(&self.order, |order| {
                order.iter().copied().filter(|&i| matched[i]).collect::<Vec<_>>()
            })
            .concat();
        }
        self.filtered_with = Some(needle);
    }

    /// Which rows' names contain `needle` (lowercase): memmem over all names, both halves at once.
    fn rows_matching(&self, needle: &[u8]) -> Vec<bool> {
        let mut matched = vec![false; self.rows.len()];
        if matched.is_empty() {
            return matched;
        }
        let split = if matched.len() >= PARALLEL_ROWS { matched.len() / 2 } else { matched.len() };
        let (first, second) = matched.split_at_mut(split);
        std::thread::scope(|scope| {
            if !second.is_empty() {
                scope.spawn(|| self.mark_matches(split, needle, second));
            }
            self.mark_matches(0, needle, first);
        });
        matched
    }

    /// Sets `out[k]` when row `first + k` contains `needle`.
    fn mark_matches(&self, first: usize, needle: &[u8], out: &mut [bool]) {
        let starts = &self.search_starts;
        let (from, to) = (starts[first], starts[first + out.len()]);
        let mut row = first;
        for pos in memchr::memmem::find_iter(&self.search_text.as_bytes()[from..to], needle) {
            let pos = from + pos;
            // Hits come in order: the row only moves forward.
            while starts[row + 1] <= pos {
                row += 1;
            }
            // A hit that runs into the next name is not a hit.
            if pos + needle.len() <= starts[row + 1] {
                out[row - first] = true;
            }
        }
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
    fn typing_narrows_and_every_path_agrees_with_a_plain_search() {
        let mut b = Browser::default();
        let g = b.open(S3Location { bucket: "bkt".into(), key: String::new() });
        // Enough rows for the two-thread path; names that match across a boundary too.
        let objects: Vec<(String, u64)> =
            (0..120_000u64).map(|i| (format!("{}-{i}.Log", ["ab", "ba", "x"][i as usize % 3]), i % 997)).collect();
        for chunk in objects.chunks(40_000) {
            let chunk: Vec<(&str, u64)> = chunk.iter().map(|(k, s)| (k.as_str(), *s)).collect();
            b.add_page(g, page(&[], &chunk));
        }
        b.sort_by(SortColumn::Size);
        let plain = |b: &Browser, needle: &str| -> Vec<usize> {
            b.order.iter().copied().filter(|&i| b.rows[i].name.to_lowercase().contains(needle)).collect()
        };
        for filter in ["1", "12", "12.", "12.LOG", "2", "a-", "ab-1", "b", "g0", "-", "zz", ""] {
            b.set_filter(filter.into());
            let expected = if filter.is_empty() { b.order.clone() } else { plain(&b, &filter.to_lowercase()) };
            assert_eq!(b.visible, expected, "filter {filter:?}");
        }
        // A page arriving while a filter is active: the new rows are searched too.
        b.set_filter("ab-".into());
        b.add_page(g, page(&[], &[("AB-new", 1)]));
        b.set_filter("ab-n".into());
        assert_eq!(names(&b), ["AB-new"]);
    }

    #[test]
    fn pages_merged_in_give_the_order_and_filter_of_a_full_sort() {
        // Names, sizes and dates that arrive out of order and tie, in pages of uneven size.
        let day = |i: u64| DateTime::from_timestamp(1_700_000_000 + (i % 13) as i64 * 86_400, 0);
        let objects: Vec<ObjectEntry> = (0..5_000u64)
            .map(|i| ObjectEntry {
                key: format!("p/{}{:04}", ["Zed-", "alpha-", "Beta-"][(i % 3) as usize], (i * 7_919) % 5_000),
                size: (i * 31) % 97,
                last_modified: day(i),
                etag: None,
                storage_class: None,
            })
            .collect();
        for (sort, descending) in [(SortColumn::Name, false), (SortColumn::Size, true), (SortColumn::Modified, false)] {
            for filter in ["", "a-1", "ZED"] {
                let mut b = Browser::default();
                let g = b.open(S3Location { bucket: "bkt".into(), key: "p/".into() });
                b.sort_by(sort);
                if descending {
                    b.sort_by(sort);
                }
                b.set_filter(filter.into());
                let mut start = 0;
                for (n, len) in [1usize, 999, 0, 1000, 1, 1999, 1000].into_iter().enumerate() {
                    let folders = if n == 3 { vec!["p/sub/".to_owned()] } else { Vec::new() };
                    let chunk = objects[start..start + len].to_vec();
                    let added = b.add_page(g, ListingPage { folders, objects: chunk });
                    assert_eq!(added.len(), len + usize::from(n == 3));
                    start += len;
                }
                let mut full: Vec<usize> = (0..b.rows.len()).collect();
                full.sort_by(|&x, &y| compare_rows(&b.rows, b.sort, b.ascending, x, y));
                assert_eq!(b.order, full, "{sort:?} {filter:?}");
                let needle = filter.to_lowercase();
                full.retain(|&i| b.rows[i].name.to_lowercase().contains(&needle));
                assert_eq!(b.visible, full, "{sort:?} {filter:?}");
                assert_eq!(b.rows[b.visible[0]].is_folder, filter.is_empty(), "folders first");
            }
        }
    }

    #[test]
    fn an_upserted_object_takes_its_place_in_the_order_and_the_filter() {
        let entry = |key: &str, size| ObjectEntry {
            key: key.into(),
            size,
            last_modified: None,
            etag: None,
            storage_class: None,
        };
        let mut b = Browser::default();
        let g = b.open(S3Location { bucket: "bkt".into(), key: "d/".into() });
        b.add_page(g, page(&["d/sub/"], &[("d/a.txt", 5), ("d/b.log", 7), ("d/c.txt", 9)]));
        assert_eq!(b.upsert_object(entry("d/new.txt", 1)), None, "not while the listing arrives");
        b.finish(g, ListingStatus::Complete);
        b.sort_by(SortColumn::Size);
        b.set_filter("txt".into());
        assert_eq!(b.upsert_object(entry("d/sub/deep.txt", 1)), None, "not in this folder");
        assert_eq!(b.upsert_object(entry("d/", 0)), None, "the folder's own marker");
        let a = b.upsert_object(entry("d/a.txt", 100)).unwrap();
        assert_eq!(b.rows[a].size, 100);
        assert_eq!(names(&b), ["c.txt", "a.txt"], "replaced: moved to its new size");
        let new = b.upsert_object(entry("d/new.txt", 6)).unwrap();
        assert_eq!(b.rows.len(), 5);
        assert_eq!(names(&b), ["new.txt", "c.txt", "a.txt"]);
        assert_eq!(b.upsert_object(entry("d/new.txt", 6)), Some(new), "unchanged");
        b.upsert_object(entry("d/x.log", 1));
        assert_eq!(names(&b), ["new.txt", "c.txt", "a.txt"], "filtered out");
        b.set_filter(String::new());
        assert_eq!(names(&b), ["sub/", "x.log", "new.txt", "b.log", "c.txt", "a.txt"]);
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
