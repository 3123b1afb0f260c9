// Command go-httpd is the Go baseline of bench/net: net/http's file server,
// as a Go program would serve files, racing Lemmings' httpd and nginx.
//
//	go-httpd ADDR ROOT
//
// serves the files under ROOT (http.FileServer: GET and HEAD, keep-alive,
// Content-Length, sendfile for the body) on ADDR, such as 127.0.0.1:8080,
// and prints one line when it listens:
//
//	go-httpd: listening on ADDR, serving ROOT
//
// bench/net runs it with GOMAXPROCS=1 (one OS thread at a time runs Go
// code, as Lemmings' one hart) pinned to one CPU. Nothing is tuned:
// default timeouts (none), default buffers, no access log. Standard
// library only: it builds without network access.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-httpd ADDR ROOT")
		os.Exit(2)
	}
	addr, root := os.Args[1], os.Args[2]
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-httpd:", err)
		os.Exit(1)
	}
	fmt.Printf("go-httpd: listening on %s, serving %s\n", ln.Addr(), root)
	server := &http.Server{Handler: http.FileServer(http.Dir(root))}
	if err := server.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "go-httpd:", err)
		os.Exit(1)
	}
}
