module github.com/apiroutes/apiroutes/examples

go 1.22

require github.com/apiroutes/apiroutes v0.0.0

// The examples always build against the library in this repository, with or
// without the workspace (GOWORK=off).
replace github.com/apiroutes/apiroutes => ../
