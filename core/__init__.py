"""What every area of the app shares: the database, time, errors and access rules."""
