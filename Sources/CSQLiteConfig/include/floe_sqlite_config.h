#ifndef FLOE_SQLITE_CONFIG_H
#define FLOE_SQLITE_CONFIG_H

/// Turns off SQLite's memory statistics before the library is first used. With them on, every
/// allocation of every connection takes one process-wide mutex, so queries on several threads
/// run one at a time. sqlite3_config is variadic, which Swift cannot call, hence this file.
/// Returns SQLite's result code (SQLITE_MISUSE when SQLite is already initialized).
int floe_sqlite_disable_memory_statistics(void);

#endif
