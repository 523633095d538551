"""The console's pages, one module per kind of user: auth (sign-in), inspector (queue, recording,
review), security (access log, chain, retention, holds), admin (agencies, cases, imports, keys),
assessment (scorecard, complaints)."""
