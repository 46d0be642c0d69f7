# mlc: the two Quick-start commands are `make demo` and `make test`; both set themselves up.
.PHONY: setup demo test slow export clean-nbs bench

setup:
	bash tools/setup.sh

demo: setup
	bash tools/demo.sh

test: setup
	bash tools/test.sh

slow: setup            ## the long runs that nbdev-test skips by default
	OMP_WAIT_POLICY=passive .venv/bin/nbdev-test --flags slow --n-workers 1 --timing

export:
	.venv/bin/nbdev-export && .venv/bin/nbdev-clean

bench: setup
	bash bench/run_all.sh
