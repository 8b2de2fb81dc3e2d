package respond

// RaceEnabled tells the tests of package respond_test whether the race
// detector, which drops pooled items at random, is on.
const RaceEnabled = raceEnabled
