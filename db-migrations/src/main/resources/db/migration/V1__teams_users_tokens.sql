-- Teams, users, memberships and API tokens.
-- Tokens are stored only as SHA-256 hashes of their secret; the secret is shown once at creation.

CREATE TABLE teams (
    id          uuid PRIMARY KEY,
    name        varchar(64)  NOT NULL UNIQUE,
    created_at  timestamptz  NOT NULL
);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    name            varchar(64)  NOT NULL UNIQUE,
    platform_admin  boolean      NOT NULL DEFAULT false,
    created_at      timestamptz  NOT NULL
);

CREATE TABLE memberships (
    id          uuid PRIMARY KEY,
    team_id     uuid         NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        varchar(16)  NOT NULL CHECK (role IN ('VIEWER', 'MEMBER', 'ADMIN')),
    created_at  timestamptz  NOT NULL,
    UNIQUE (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY,
    user_id       uuid          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          varchar(100)  NOT NULL,
    token_hash    varchar(64)   NOT NULL UNIQUE,
    -- A token may be narrowed to one team and to a role at most as high as the user's own.
    team_id       uuid          REFERENCES teams (id) ON DELETE CASCADE,
    role          varchar(16)   CHECK (role IN ('VIEWER', 'MEMBER', 'ADMIN')),
    created_at    timestamptz   NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
