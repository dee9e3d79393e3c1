"""Stand-in servers, fakes and fixtures shared by the tests."""
