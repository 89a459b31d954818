//! Uploads started together — one drop, or several files picked at once. With "copy link after
//! upload" on, their links go to the clipboard together, one per line, once the last of them is
//! settled, instead of each replacing the one before.

use std::collections::{HashMap, HashSet};

use super::transfer::{Transfer, TransferStatus};
use crate::share::ShareLink;
use crate::worker::TransferId;

/// One batch of uploads and the links made for them so far.
#[derive(Debug)]
pub struct UploadBatch {
    /// The batch's transfers, in the order the files came.
    members: Vec<TransferId>,
    /// Links made so far.
    links: HashMap<TransferId, ShareLink>,
    /// Finished uploads that will bring no link (copying turned off meanwhile, or the link failed).
    without_link: HashSet<TransferId>,
}

impl UploadBatch {
    /// A batch of these transfers.
    pub fn new(members: Vec<TransferId>) -> Self {
        UploadBatch { members, links: HashMap::new(), without_link: HashSet::new() }
    }

    /// Whether `id` is one of the batch's transfers.
    pub fn contains(&self, id: TransferId) -> bool {
        self.members.contains(&id)
    }

    /// Keeps the link made for `id`.
    pub fn add_link(&mut self, id: TransferId, link: ShareLink) {
        self.links.insert(id, link);
    }

    /// Notes that `id` finished but brings no link.
    pub fn no_link(&mut self, id: TransferId) {
        self.without_link.insert(id);
    }

    /// Every member has its link, will bring none, or ended without uploading (failed, cancelled,
    /// skipped, or cleared from the list).
    pub fn is_settled(&self, transfers: &[Transfer]) -> bool {
        self.members.iter().all(|id| {
            self.links.contains_key(id)
                || self.without_link.contains(id)
                || transfers
                    .iter()
                    .find(|t| t.id == *id)
                    .is_none_or(|t| !t.is_active() && t.status != TransferStatus::Done)
        })
    }

    /// The links, in the order the files came.
    pub fn into_links(mut self) -> Vec<ShareLink> {
        self.members.iter().filter_map(|id| self.links.remove(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::transfer::TransferKind;
    use crate::store::{S3Location, TransferProgress};

    fn transfer(id: TransferId, status: TransferStatus) -> Transfer {
        let object = S3Location { bucket: "b".into(), key: format!("f{id}") };
        let progress = TransferProgress { done: 0, total: 1 };
        Transfer { status, ..Transfer::queued(id, TransferKind::Upload, format!("f{id}").into(), object, progress) }
    }

    #[test]
    fn settles_when_every_upload_has_its_link_or_ended_without_one() {
        let mut batch = UploadBatch::new(vec![1, 2, 3, 4]);
        let mut transfers = vec![
            transfer(1, TransferStatus::Done),
            transfer(2, TransferStatus::Running),
            transfer(3, TransferStatus::Failed("boom".into())),
            transfer(4, TransferStatus::Done),
        ];
        assert!(!batch.is_settled(&transfers), "1 and 4 are done but their links have not come");
        batch.add_link(4, ShareLink::example("http://h/b/f4"));
        batch.add_link(1, ShareLink::example("http://h/b/f1"));
        assert!(!batch.is_settled(&transfers), "2 still runs");
        transfers[1].status = TransferStatus::Done;
        assert!(!batch.is_settled(&transfers), "2's link has not come");
        batch.no_link(2);
        assert!(batch.is_settled(&transfers));
        let urls: Vec<_> = batch.into_links().into_iter().map(|l| l.url).collect();
        assert_eq!(urls, ["http://h/b/f1", "http://h/b/f4"], "in the order the files came");
    }

    #[test]
    fn a_transfer_cleared_from_the_list_counts_as_settled() {
        let batch = UploadBatch::new(vec![7]);
        assert!(batch.is_settled(&[]));
        assert!(batch.contains(7) && !batch.contains(8));
    }
}
