module lemmings/bench/baseline/go-httpd

go 1.19
