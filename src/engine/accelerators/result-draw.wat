;; Trials drawn one word at a time into a result order's results (result-order.ts drawOneByOne,
;; where the results are too many for the SIMD lanes' counts): the word from xoshiro128**, a
;; rejection at the order's bound, the result from a guide table and a compare or two. See
;; result-draw.ts.
;;
;; Memory, in bytes:
;;   0-15            the xoshiro128** state, in and out
;;   {{GUIDE_BYTE}}  per word's top {{GUIDE_BITS}} bits, the result of the least word with them (u16)
;;   {{BOUNDS_BYTE}} the order's thresholds, before[r] · q for r = 0 … count (f64; the last: the
;;                   rejection's bound), then the trials counted by result (i32) at `counts`
(module
  (memory (export "memory") {{PAGES}})

  (func (export "draw") (param $trials i32) (param $count i32) (param $counts i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $m i32) (local $x i32) (local $t i32)
    (local $r i32) (local $at i32) (local $word f64) (local $limit f64)
    (local.set $s0 (i32.load (i32.const {{STATE_BYTE}})))
    (local.set $s1 (i32.load (i32.const {{STATE_1_BYTE}})))
    (local.set $s2 (i32.load (i32.const {{STATE_2_BYTE}})))
    (local.set $s3 (i32.load (i32.const {{STATE_3_BYTE}})))
    (local.set $limit (f64.load (i32.add (i32.const {{BOUNDS_BYTE}}) (i32.shl (local.get $count) (i32.const 3)))))
    (block $done
      (loop $trial
        (br_if $done (i32.eqz (local.get $trials)))
        (loop $word
          ;; xoshiro128**: rotl(s1 · 5, 7) · 9, then the state transition
          (local.set $m (i32.mul (local.get $s1) (i32.const 5)))
          (local.set $x (i32.mul (i32.rotl (local.get $m) (i32.const 7)) (i32.const 9)))
          (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
          (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
          (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
          (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
          (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
          (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
          (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
          (local.set $word (f64.convert_i32_u (local.get $x)))
          (br_if $word (f64.ge (local.get $word) (local.get $limit))))
        (local.set $r (i32.load16_u offset={{GUIDE_BYTE}} (i32.shl (i32.shr_u (local.get $x) (i32.const {{GUIDE_SHIFT}})) (i32.const 1))))
        (local.set $at (i32.add (i32.const {{BOUNDS_BYTE}}) (i32.shl (local.get $r) (i32.const 3))))
        (loop $next
          (if (f64.ge (local.get $word) (f64.load offset=8 (local.get $at)))
            (then
              (local.set $at (i32.add (local.get $at) (i32.const 8)))
              (br $next))))
        (local.set $at
          (i32.add (local.get $counts) (i32.shr_u (i32.sub (local.get $at) (i32.const {{BOUNDS_BYTE}})) (i32.const 1))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $trials (i32.sub (local.get $trials) (i32.const 1)))
        (br $trial)))
    (i32.store (i32.const {{STATE_BYTE}}) (local.get $s0))
    (i32.store (i32.const {{STATE_1_BYTE}}) (local.get $s1))
    (i32.store (i32.const {{STATE_2_BYTE}}) (local.get $s2))
    (i32.store (i32.const {{STATE_3_BYTE}}) (local.get $s3)))
)
