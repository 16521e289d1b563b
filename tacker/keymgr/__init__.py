"""Keys of encrypted VIM credentials: where Tacker keeps them, and use."""
