;; The one-draw kernel on eight lanes at once (WebAssembly SIMD); see one-draw.ts.
;;
;; Each lane holds a xoshiro128** state and runs `steps` trials of one draw each; a trial takes
;; outcome 0 iff its draw's high 31 bits are below the threshold `high`. The lanes form two groups
;; of four, a and b, run side by side so that the processor overlaps their dependency chains.
;; Memory, in int32 words: group a's states at 0-15 (s0 of its four lanes, then s1, s2, s3),
;; group b's at 16-31; `run` writes the states back there and each lane pair's count of outcome 0
;; to words 32-35. It returns the number of steps run: `steps`, or fewer if some lane's draw tied
;; the threshold, which only the low word can decide (the caller then runs the block one trial
;; at a time).
(module
  (memory (export "memory") 1)
  (func (export "run") (param $high i32) (param $steps i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $r v128) (local $x v128) (local $y v128) (local $t v128) (local $h v128) (local $za v128) (local $zb v128)
    (local $i i32)
    (local.set $a0 (v128.load (i32.const 0)))
    (local.set $a1 (v128.load (i32.const 16)))
    (local.set $a2 (v128.load (i32.const 32)))
    (local.set $a3 (v128.load (i32.const 48)))
    (local.set $b0 (v128.load (i32.const 64)))
    (local.set $b1 (v128.load (i32.const 80)))
    (local.set $b2 (v128.load (i32.const 96)))
    (local.set $b3 (v128.load (i32.const 112)))
    (local.set $h (i32x4.splat (local.get $high)))
    (block $done
      (loop $trial
        (br_if $done (i32.ge_u (local.get $i) (local.get $steps)))
        ;; group a: x = rotl(s1 · 5, 7) · 9 >>> 1 (the output's high 31 bits), then the state transition
        (local.set $r (i32x4.add (local.get $a1) (i32x4.shl (local.get $a1) (i32.const 2))))
        (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
        (local.set $x (i32x4.shr_u (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))) (i32.const 1)))
        (local.set $t (i32x4.shl (local.get $a1) (i32.const 9)))
        (local.set $a2 (v128.xor (local.get $a2) (local.get $a0)))
        (local.set $a3 (v128.xor (local.get $a3) (local.get $a1)))
        (local.set $a1 (v128.xor (local.get $a1) (local.get $a2)))
        (local.set $a0 (v128.xor (local.get $a0) (local.get $a3)))
        (local.set $a2 (v128.xor (local.get $a2) (local.get $t)))
        (local.set $a3 (v128.or (i32x4.shl (local.get $a3) (i32.const 11)) (i32x4.shr_u (local.get $a3) (i32.const 21))))
        ;; group b, the same
        (local.set $r (i32x4.add (local.get $b1) (i32x4.shl (local.get $b1) (i32.const 2))))
        (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
        (local.set $y (i32x4.shr_u (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))) (i32.const 1)))
        (local.set $t (i32x4.shl (local.get $b1) (i32.const 9)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $b0)))
        (local.set $b3 (v128.xor (local.get $b3) (local.get $b1)))
        (local.set $b1 (v128.xor (local.get $b1) (local.get $b2)))
        (local.set $b0 (v128.xor (local.get $b0) (local.get $b3)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $t)))
        (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 11)) (i32x4.shr_u (local.get $b3) (i32.const 21))))
        (br_if $done (v128.any_true (v128.or (i32x4.eq (local.get $x) (local.get $h)) (i32x4.eq (local.get $y) (local.get $h)))))
        ;; lt_s is −1 in the lanes below the threshold
        (local.set $za (i32x4.sub (local.get $za) (i32x4.lt_s (local.get $x) (local.get $h))))
        (local.set $zb (i32x4.sub (local.get $zb) (i32x4.lt_s (local.get $y) (local.get $h))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $trial)))
    (v128.store (i32.const 0) (local.get $a0))
    (v128.store (i32.const 16) (local.get $a1))
    (v128.store (i32.const 32) (local.get $a2))
    (v128.store (i32.const 48) (local.get $a3))
    (v128.store (i32.const 64) (local.get $b0))
    (v128.store (i32.const 80) (local.get $b1))
    (v128.store (i32.const 96) (local.get $b2))
    (v128.store (i32.const 112) (local.get $b3))
    (v128.store (i32.const 128) (i32x4.add (local.get $za) (local.get $zb)))
    (local.get $i)))
