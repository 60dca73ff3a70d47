"""Many solves for one question: variants, lever advice, sensitivity and sub-problems,
fanned out in-process, over local processes or on a Dask cluster. Nothing below this
package imports Dask."""
