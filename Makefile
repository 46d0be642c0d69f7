# mlc: the two Quick-start commands are `make demo` and `make test`; both set themselves up.
.PHONY: setup demo test test-seeds test-nbdev slow export outputs outputs-slow docs check-install bench bench-table

setup:
	bash tools/setup.sh

demo: setup
	bash tools/demo.sh

test: setup
	bash tools/test.sh
	.venv/bin/python tools/bench_table.py --check

test-seeds: setup      ## every notebook that calls mlc_seed, under MLC_SEED=1 and 2 with 1 and 2 torch threads
	OMP_WAIT_POLICY=passive MPLBACKEND=Agg .venv/bin/python tools/run_nbs.py --seeds 1 2 --threads 1 2

test-nbdev: setup      ## every notebook with nbdev's own executor (what `nbdev-test` users see; CI runs it too)
	OMP_WAIT_POLICY=passive MPLBACKEND=Agg .venv/bin/nbdev-test --n-workers 2 --timing

slow: setup            ## the long runs that nbdev-test skips by default
	OMP_WAIT_POLICY=passive .venv/bin/nbdev-test --flags slow --n-workers 1 --timing

export:
	.venv/bin/nbdev-export && .venv/bin/nbdev-clean

bench: setup
	bash bench/run_all.sh

bench-table:           ## README's benchmark figures from the committed bench/results/*.json
	.venv/bin/python tools/bench_table.py

outputs: setup          ## run every notebook in the mlc Jupyter kernel and commit what it shows (then: git add nbs)
	.venv/bin/python tools/run_nbs.py --save && .venv/bin/nbdev-clean

outputs-slow: setup     ## the same for the notebooks with #| slow cells, those cells included (long: 07, 12, 15)
	OMP_WAIT_POLICY=passive .venv/bin/python tools/run_nbs.py --save --slow --workers 1 && .venv/bin/nbdev-clean

docs: setup             ## HTML pages of the course in reading order: _docs/index.html
	.venv/bin/python tools/docs.py

check-install: setup    ## a fresh venv with the newest fastai: installing mlc changes no package (CI runs it)
	bash tools/check_install.sh
