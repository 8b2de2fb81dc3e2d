package redisstore

// MaxResetAfter is maxResetAfter, for the tests.
const MaxResetAfter = maxResetAfter
