-- One row the primary stamps every second while a read standby is configured (app/db/reads.py):
-- read back from the standby, now() minus the stamp is how far behind the standby is, whether the
-- primary is busy or idle. A logged table, unlike live_processes, so that it is replicated.
CREATE TABLE replication_heartbeat (
    id smallint    PRIMARY KEY CHECK (id = 1),
    at timestamptz NOT NULL
);
INSERT INTO replication_heartbeat VALUES (1, now());
