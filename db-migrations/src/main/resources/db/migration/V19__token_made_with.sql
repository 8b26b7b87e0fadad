-- Which token made each token (null for the first start's and the embedded runners' tokens, and for tokens made
-- before this column): a leaked token's offspring can be listed, and revoked with it.
ALTER TABLE api_tokens ADD COLUMN made_with uuid REFERENCES api_tokens (id);
CREATE INDEX api_tokens_made_with ON api_tokens (made_with) WHERE made_with IS NOT NULL;
