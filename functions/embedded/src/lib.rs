//! The embedded store: every paste in one SQLite file (WAL, `synchronous=FULL`), so a create
//! that was acknowledged survives a crash of the process or of the machine.

mod cache;
mod checkpoint;
mod error;
mod pool;
mod schema;
mod store;
mod writer;

pub use error::EmbeddedError;
pub use store::EmbeddedStore;
