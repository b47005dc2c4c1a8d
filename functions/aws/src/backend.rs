//! Every runtime that runs on AWS (the local server with `PASTEBIN_STORE=aws`, each Lambda
//! function) starts the same way: settings read, clients built once, the table and bucket
//! created only when asked.

use std::sync::Arc;

use pastebin_core::Storage;

use crate::{AwsClients, AwsError, AwsSettings, DynamoRateLimiter, DynamoStore, ensure_resources};

/// The connected adapter: what the stores, the limiter and any further client are built from.
#[derive(Clone, Debug)]
pub struct AwsBackend {
    pub clients: AwsClients,
    pub settings: AwsSettings,
}

impl AwsBackend {
    pub async fn connect(settings: AwsSettings) -> Result<Self, AwsError> {
        let clients = AwsClients::from_env().await;
        if settings.create_resources {
            ensure_resources(&clients, &settings).await?;
        }
        Ok(Self { clients, settings })
    }

    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(&self.clients, &self.settings)
    }

    /// Pastes in the table and bucket; request counts in the table, shared by every instance.
    pub fn storage(&self) -> Storage {
        Storage {
            store: Arc::new(self.store()),
            limiter: Arc::new(DynamoRateLimiter::new(&self.clients, &self.settings.table)),
        }
    }
}
