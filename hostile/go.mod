module github.com/apiroutes/apiroutes/hostile

// The attack tests and their harness (package hostile, which imports
// testing): a module of their own so that no non-test file of the library
// imports testing. The floor is the library's, so that these tests can run
// on the oldest Go it supports.
go 1.25.0

require github.com/apiroutes/apiroutes v0.0.0

require (
	github.com/justinas/alice v1.2.0 // indirect
	github.com/rs/cors v1.11.1 // indirect
)

// Always attack the library in this repository, with or without the
// workspace (GOWORK=off).
replace github.com/apiroutes/apiroutes => ../
