-- Request budgets per credential and minute (#13), shared by all server instances. Each
-- instance counts locally and adds its count here every second.
CREATE TABLE request_budgets (
    credential   TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    used         INT NOT NULL,
    PRIMARY KEY (credential, window_start)
);
