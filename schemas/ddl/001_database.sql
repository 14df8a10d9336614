-- The database every agentpulse table lives in.
CREATE DATABASE IF NOT EXISTS {{database}}
