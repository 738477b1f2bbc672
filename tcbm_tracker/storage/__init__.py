"""SQLite storage: tables, engine and transactions, migrations, seeding and the change log."""
