"""Where the bytes of attached documents live: content-addressed files on disk by default."""
