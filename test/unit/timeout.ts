// The unit tier starts no server: a test or hook that needs more than this is too slow, and is
// made cheaper rather than given more time.
jest.setTimeout(5_000);
