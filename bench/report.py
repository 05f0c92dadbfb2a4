"""bench.json -> the rows of the printed table: measure, value, target, met (yes / NO / -)."""

from __future__ import annotations

from typing import Any


def _met(ok: bool | None) -> str:
    return "-" if ok is None else "yes" if ok else "NO"


def rows(r: dict[str, Any]) -> list[list[str]]:
    out = [["measure", "value", "target", "met"]]
    peak, emb = r["peak"], r["embedding"]
    implied = peak["measured_gflops"] / (peak["cores"] * peak["fma_units"] * peak["simd_lanes"] * 2)
    out.append(
        [
            "CPU fp32 peak, theoretical",
            f"{peak['theoretical_gflops']:.0f} GFLOP/s ({peak['cores']} cores x {peak['ghz']:.2f} GHz nominal x "
            f"{peak['fma_units']} FMA x {peak['simd_lanes']} lanes x 2)",
            "",
            "-",
        ]
    )
    out.append(
        [
            "CPU fp32 peak, measured GEMM",
            f"{peak['measured_gflops']:.0f} GFLOP/s "
            f"(onnx {peak['onnx_gemm_gflops']:.0f}, numpy {peak['numpy_gemm_gflops']:.0f}; "
            f"= {implied:.1f} GHz at 2 FMA x {peak['simd_lanes']} lanes)",
            "",
            "-",
        ]
    )
    for key, label in (("onnx_chunks", "chunks"), ("onnx_short", "short passages"), ("numpy_chunks", "chunks")):
        e = emb[key]
        share_t, share_m = e["share_of_theoretical_peak"], e["share_of_measured_gemm_peak"]
        target = ">= 50% of peak" if key == "onnx_chunks" else ""
        out.append(
            [
                f"embedding, {e['runtime']}, {label} (~{e['mean_tokens']:.0f} tok)",
                f"{e['passages_per_s']:.0f}/s = {e['gflops']:.0f} GFLOP/s = {share_t:.0%} theor. / {share_m:.0%} GEMM",
                target,
                _met(min(share_t, share_m) >= 0.5) if target else "-",  # against the higher peak
            ]
        )
    out.append(["onnx speed-up over numpy", f"{emb['onnx_speedup_over_numpy']:.1f}x", "", "-"])
    ing = r["ingest"]
    out.append(
        [
            f"ingest end to end ({ing['chunks']} chunks)",
            f"{ing['chunks_per_s']:.0f} chunks/s; {ing['ratio_to_bare_embedding_and_analysis']:.0%} of bare "
            f"embedding + analysis ({ing['bare_embedding_and_analysis_chunks_per_s']:.0f}/s), "
            f"{ing['ratio_to_bare_embedding']:.0%} of bare embedding ({ing['bare_embedding_chunks_per_s']:.0f}/s); "
            f"median of {ing['rounds']} paired rounds",
            ">= 80% of bare emb. + analysis",
            _met(ing["ratio_to_bare_embedding_and_analysis"] >= 0.8),
        ]
    )
    for key, lat in r["latency"].items():
        names = {"real": "real corpus", "ingested": "ingested synthetic"}
        label = names[key] if key in names else f"{int(key) // 1000}k generated"
        ours, base = lat["ours"], lat["baseline"]
        target, ok = "", None
        if key == "real":
            target, ok = "p95 <= 2x LlamaIndex", lat["p95_ratio_to_baseline"] <= 2.0
        elif key == "100000":
            target, ok = "p95 < 100 ms", ours["p95_ms"] < 100
        out.append(
            [
                f"answer p50/p95, {label} ({lat['chunks']} chunks)",
                f"{ours['p50_ms']:.1f}/{ours['p95_ms']:.1f} ms; "
                f"LlamaIndex {base['p50_ms']:.1f}/{base['p95_ms']:.1f} ms; "
                f"p95 ratio {lat['p95_ratio_to_baseline']:.2f}",
                target,
                _met(ok),
            ]
        )
    sizes = [k for k in r["latency"] if k.isdigit()]
    if sizes:
        largest = max(sizes, key=int)
        growth = r["latency"][largest]["ours"]["p95_ms"] / r["latency"]["real"]["ours"]["p95_ms"]
        chunks = r["latency"][largest]["chunks"] / r["latency"]["real"]["chunks"]
        out.append(["answer p95 growth, real -> largest", f"{growth:.2f}x for {chunks:,.0f}x the chunks", "", "-"])
    cli = r["cold_cli"]
    out.append(
        [
            "cold CLI: start -> first answer",
            f"{cli['median_s']:.2f} s (slowest of {len(cli.get('questions', [1]))} questions, median of {cli['runs']})",
            "< 3 s",
            _met(cli["median_s"] < 3),
        ]
    )
    app = r["app"]
    if app.get("status") == "ok":
        out.append(
            [
                "cold app: start -> /healthz 200",
                f"{app['healthz_200_s']:.2f} s",
                "< 8 s",
                _met(app["healthz_200_s"] < 8),
            ]
        )
        out.append(
            ["app peak RSS, real corpus", f"{app['peak_rss_mb']:.0f} MB", "< 1 GB", _met(app["peak_rss_mb"] < 1024)]
        )
        for key in (k for k in r if k.startswith("app_") and r[k].get("status") == "ok"):
            size = key.removeprefix("app_")
            out.append([f"app peak RSS, {int(size) // 1000}k generated", f"{r[key]['peak_rss_mb']:.0f} MB", "", "-"])
    else:
        out.append(["cold app: start -> /healthz 200", app.get("status", "n/a"), "< 8 s", "-"])
    for key, rss in r["rss"].items():
        label = "real corpus" if key == "real" else f"{int(key) // 1000}k generated"
        target = "< 1 GB" if key == "real" else ""
        out.append(
            [
                f"engine process peak RSS, {label}",
                f"{rss['peak_rss_mb']:.0f} MB (open {rss['open_s']:.1f} s)",
                target,
                _met(rss["peak_rss_mb"] < 1024) if target else "-",
            ]
        )
    re_ = r["reingest"]
    out.append(
        ["re-ingest unchanged, in process", f"{re_['in_process_s']:.2f} s", "< 1 s", _met(re_["in_process_s"] < 1)]
    )
    out.append(["re-ingest unchanged, `python -m rag ingest`", f"{re_['cli_process_s']:.2f} s", "", "-"])
    out.append(
        ["load average before / after", f"{r['load_before'][0]:.2f} / {r['load_after'][0]:.2f} (2 cores)", "", "-"]
    )
    return out
