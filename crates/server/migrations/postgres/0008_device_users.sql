-- Who signed in on which device (first sign-in is online): an operation's
-- user must be one of them, or it is refused. Devices enrolled before
-- enrollment completion was recorded (0007: complete_by and completed_at
-- both empty) are not checked: who signed in on them was never kept.
CREATE TABLE device_users (
    device_id TEXT NOT NULL REFERENCES devices(id),
    user_name TEXT NOT NULL,
    first_signin_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, user_name)
);
