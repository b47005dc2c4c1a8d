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
    pub async fn new(settings: AwsSettings) -> Self {
        let clients = AwsClients::from_env().await;
        Self { clients, settings }
    }

    /// Creates the table and bucket first if `PASTEBIN_CREATE_RESOURCES` asks (test and
    /// local setups; a deployment's come from the template). A runtime that never calls this
    /// does not link the code that creates them.
    pub async fn prepared(self) -> Result<Self, AwsError> {
        if self.settings.create_resources {
            ensure_resources(&self.clients, &self.settings).await?;
        }
        Ok(self)
    }

    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(&self.clients, &self.settings)
    }

    /// Pastes in the table and bucket; request counts in the table, shared by every instance.
    pub fn storage(&self) -> Storage {
        Storage {
            store: Arc::new(self.store()),
            limiter: Arc::new(DynamoRateLimiter::new(&self.clients, &self.settings.table)),
            secret: self.settings.server_secret(),
        }
    }
}
