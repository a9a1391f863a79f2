-- Values the server decides once and keeps, such as which key the demo page records with.
-- A row is never re-created once written: an operator who revokes the demo key keeps it revoked.
CREATE TABLE server_settings (
    name       text        PRIMARY KEY,
    value      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
