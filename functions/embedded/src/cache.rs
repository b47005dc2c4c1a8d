//! Recently read pastes, kept in memory: a share link is read far more often than it is written,
//! a paste never changes once created, and a read served from here costs neither a SQLite
//! transaction nor a hop to a blocking thread.
//!
//! Two generations bound the memory: entries go into `current`; when it fills half the budget it
//! becomes `previous` (dropping the old one), and a hit in `previous` moves the entry back. So a
//! paste read again within about one generation stays, and the total never exceeds the budget.
//!
//! Deletes must win over reads that raced them: every invalidation bumps `epoch`, and a read
//! that went to the database only caches its result if no invalidation happened meanwhile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use pastebin_core::{Id, Paste, UnixTime};

pub struct ReadCache {
    /// Bytes of content kept per generation (half the budget).
    generation_bytes: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: HashMap<Id, Arc<Paste>>,
    current_bytes: usize,
    previous: HashMap<Id, Arc<Paste>>,
    epoch: u64,
}

/// Taken before a database read; the result may be cached only if it is still current.
#[derive(Clone, Copy)]
pub struct Epoch(u64);

impl ReadCache {
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            generation_bytes: budget_bytes / 2,
            state: Mutex::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, id: &Id) -> Option<Arc<Paste>> {
        let mut s = self.state();
        if let Some(p) = s.current.get(id) {
            return Some(p.clone());
        }
        let p = s.previous.remove(id)?;
        s.admit(p.clone(), self.generation_bytes);
        Some(p)
    }

    pub fn epoch(&self) -> Epoch {
        Epoch(self.state().epoch)
    }

    /// Caches `paste`, read from the database after `seen` was taken, unless something was
    /// invalidated since. Burn-after-reading pastes are never cached: they are read once.
    pub fn insert(&self, seen: Epoch, paste: Arc<Paste>) {
        if paste.burn_after_reading {
            return;
        }
        let mut s = self.state();
        if s.epoch == seen.0 {
            s.admit(paste, self.generation_bytes);
        }
    }

    /// After a sweep removed everything that expired before `now`.
    pub fn forget_expired(&self, now: UnixTime) {
        let mut s = self.state();
        s.epoch += 1;
        s.current.retain(|_, p| p.expires_at >= now);
        s.current_bytes = s.current.values().map(|p| cost(p)).sum();
        s.previous.retain(|_, p| p.expires_at >= now);
    }

    /// After `id` was deleted: it must not be served from here again.
    pub fn invalidate(&self, id: &Id) {
        let mut s = self.state();
        s.epoch += 1;
        if let Some(p) = s.current.remove(id) {
            s.current_bytes -= cost(&p);
        }
        s.previous.remove(id);
    }
}

impl State {
    fn admit(&mut self, paste: Arc<Paste>, generation_bytes: usize) {
        let size = cost(&paste);
        if size > generation_bytes {
            return;
        }
        if self.current_bytes + size > generation_bytes {
            self.previous = std::mem::take(&mut self.current);
            self.current_bytes = 0;
        }
        self.current_bytes += size;
        if let Some(old) = self.current.insert(paste.id.clone(), paste) {
            self.current_bytes -= cost(&old);
        }
    }
}

fn cost(p: &Paste) -> usize {
    // Content dominates; the rest is a rough allowance for the fields and the map entry.
    p.content.len() + p.title.as_ref().map_or(0, String::len) + 128
}

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::DeleteToken;

    fn paste(id: &str, size: usize, burn: bool) -> Arc<Paste> {
        Arc::new(Paste {
            id: Id::parse(id).expect("valid id"),
            content: "x".repeat(size).into(),
            syntax: None,
            title: None,
            burn_after_reading: burn,
            encrypted: false,
            created_at: UnixTime(0),
            expires_at: UnixTime(100),
            delete_token_hash: DeleteToken::generate().hash(),
        })
    }

    fn id(s: &str) -> Id {
        Id::parse(s).expect("valid id")
    }

    #[test]
    fn a_read_result_is_served_from_memory_afterwards() {
        let cache = ReadCache::new(1 << 20);
        assert!(cache.get(&id("AAAAAAAAAA")).is_none());
        cache.insert(cache.epoch(), paste("AAAAAAAAAA", 10, false));
        assert_eq!(
            cache.get(&id("AAAAAAAAAA")).map(|p| p.content.len()),
            Some(10)
        );
    }

    #[test]
    fn a_delete_during_the_database_read_keeps_the_stale_row_out() {
        let cache = ReadCache::new(1 << 20);
        let seen = cache.epoch();
        cache.invalidate(&id("AAAAAAAAAA"));
        cache.insert(seen, paste("AAAAAAAAAA", 10, false));
        assert!(cache.get(&id("AAAAAAAAAA")).is_none());
    }

    #[test]
    fn a_deleted_paste_is_no_longer_served() {
        let cache = ReadCache::new(1 << 20);
        cache.insert(cache.epoch(), paste("AAAAAAAAAA", 10, false));
        cache.invalidate(&id("AAAAAAAAAA"));
        assert!(cache.get(&id("AAAAAAAAAA")).is_none());
    }

    #[test]
    fn a_sweep_forgets_what_expired_and_keeps_the_rest() {
        let cache = ReadCache::new(1 << 20);
        let mut old = Paste::clone(&paste("AAAAAAAAAA", 10, false));
        old.expires_at = UnixTime(5);
        cache.insert(cache.epoch(), Arc::new(old));
        cache.insert(cache.epoch(), paste("BBBBBBBBBB", 10, false));
        let seen = cache.epoch();
        cache.forget_expired(UnixTime(50));
        assert!(cache.get(&id("AAAAAAAAAA")).is_none());
        assert!(cache.get(&id("BBBBBBBBBB")).is_some());
        // A read that began before the sweep cannot put a swept paste back.
        let mut late = Paste::clone(&paste("CCCCCCCCCC", 10, false));
        late.expires_at = UnixTime(5);
        cache.insert(seen, Arc::new(late));
        assert!(cache.get(&id("CCCCCCCCCC")).is_none());
    }

    #[test]
    fn burn_after_reading_pastes_are_never_kept() {
        let cache = ReadCache::new(1 << 20);
        cache.insert(cache.epoch(), paste("AAAAAAAAAA", 10, true));
        assert!(cache.get(&id("AAAAAAAAAA")).is_none());
    }

    #[test]
    fn memory_stays_within_the_budget_and_recent_reads_survive() {
        // Generations of 2 KiB; each paste costs 1024 + 128 bytes, so one fits per generation.
        let cache = ReadCache::new(4096);
        let ids: Vec<String> = (0..50).map(|i| format!("A{i:09}")).collect();
        for i in &ids {
            cache.insert(cache.epoch(), paste(i, 1024, false));
            let s = cache.state();
            let held: usize = s
                .current
                .values()
                .chain(s.previous.values())
                .map(|p| cost(p))
                .sum();
            assert!(held <= 4096, "{held} bytes held");
        }
        assert!(cache.get(&id(&ids[49])).is_some(), "the latest stays");
        assert!(cache.get(&id(&ids[0])).is_none(), "the oldest was dropped");
    }

    #[test]
    fn a_paste_larger_than_a_generation_is_not_kept() {
        let cache = ReadCache::new(4096);
        cache.insert(cache.epoch(), paste("AAAAAAAAAA", 4096, false));
        assert!(cache.get(&id("AAAAAAAAAA")).is_none());
    }
}
