use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::id::Id;
use crate::paste::Paste;
use crate::store::{DeleteOutcome, InsertOutcome, PasteStore, StoreError};
use crate::time::UnixTime;
use crate::token::TokenHash;

/// A store that lives and dies with the process: for tests and for benchmarks that must leave
/// storage out of the measurement.
#[derive(Default)]
pub struct MemoryStore {
    pastes: Mutex<HashMap<Id, Paste>>,
}

impl MemoryStore {
    fn pastes(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Paste>> {
        self.pastes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn len(&self) -> usize {
        self.pastes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl PasteStore for MemoryStore {
    async fn insert(&self, paste: &Paste) -> Result<InsertOutcome, StoreError> {
        let mut pastes = self.pastes();
        if pastes.contains_key(&paste.id) {
            return Ok(InsertOutcome::IdTaken);
        }
        pastes.insert(paste.id.clone(), paste.clone());
        Ok(InsertOutcome::Inserted)
    }

    async fn get(&self, id: &Id) -> Result<Option<Paste>, StoreError> {
        Ok(self.pastes().get(id).cloned())
    }

    async fn delete(
        &self,
        id: &Id,
        token: &TokenHash,
        now: UnixTime,
    ) -> Result<DeleteOutcome, StoreError> {
        let mut pastes = self.pastes();
        match pastes.get(id) {
            Some(p) if p.is_expired(now) => Ok(DeleteOutcome::NotFound),
            Some(p) if !p.delete_token_hash.matches(token) => Ok(DeleteOutcome::WrongToken),
            Some(_) => {
                pastes.remove(id);
                Ok(DeleteOutcome::Deleted)
            }
            None => Ok(DeleteOutcome::NotFound),
        }
    }

    async fn take_burn(&self, id: &Id, now: UnixTime) -> Result<Option<Paste>, StoreError> {
        let mut pastes = self.pastes();
        match pastes.get(id) {
            Some(p) if p.burn_after_reading && !p.is_expired(now) => Ok(pastes.remove(id)),
            _ => Ok(None),
        }
    }

    async fn sweep_expired(&self, now: UnixTime) -> Result<u64, StoreError> {
        let mut pastes = self.pastes();
        let before = pastes.len();
        pastes.retain(|_, p| !p.is_expired(now));
        Ok((before - pastes.len()) as u64)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
