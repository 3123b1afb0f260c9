module lemmings/bench/baseline

go 1.19
