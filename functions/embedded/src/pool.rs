use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::schema;

/// Read-only connections, reused: opening one costs far more than a point read.
pub struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Idle connections kept; more can be open at once under load, and are closed when returned.
const MAX_IDLE: usize = 16;

impl ReaderPool {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn get(&self) -> rusqlite::Result<Reader<'_>> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                c
            }
        };
        Ok(Reader {
            pool: self,
            conn: Some(conn),
        })
    }
}

pub struct Reader<'a> {
    pool: &'a ReaderPool,
    conn: Option<Connection>,
}

impl Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Only taken in Drop.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}

/// Opens the single writer connection and brings the schema up to date; with it, the store's
/// secret.
pub fn open_writer(path: &std::path::Path) -> Result<(Connection, Vec<u8>), crate::EmbeddedError> {
    let open_err = |source| crate::EmbeddedError::Open {
        path: path.to_owned(),
        source,
    };
    let mut conn = Connection::open(path).map_err(open_err)?;
    schema::configure(&conn).map_err(open_err)?;
    let found = schema::migrate(&mut conn).map_err(open_err)?;
    if found > schema::VERSION {
        return Err(crate::EmbeddedError::SchemaTooNew {
            path: path.to_owned(),
            found,
            supported: schema::VERSION,
        });
    }
    let secret = schema::secret(&conn).map_err(open_err)?;
    Ok((conn, secret))
}
