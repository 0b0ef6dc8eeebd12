"""Pure rules of the field: no I/O beyond reading the data files shipped with the app and its libraries."""
