"""The parity suite (issue 23, item 4): the fast and the incremental engine write the
same trades.csv, metrics.json and journal rows, ids included."""
