-- Live viewers: every server process publishes how many of its sessions are playing right now.
-- A row not refreshed for a while belongs to a process that is gone and is not counted.
CREATE UNLOGGED TABLE live_processes (
    process_id uuid        PRIMARY KEY,
    playing    integer     NOT NULL CHECK (playing >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
