(* The abstract state machine of kcore's page ownership and sharing (kcore/core/mem.c), and a
   noninterference-style property: a principal's private pages (owned, not shared) are neither
   read nor written by the steps of any other principal. No axioms; no Admitted.
   Which C function refines which step: docs/proofs.md, section "Coq model". *)
From Coq Require Import Arith Lia Bool List.

Inductive own := Host | Kc | Vm (v : nat).

Definition own_eqb (a b : own) : bool :=
  match a, b with
  | Host, Host | Kc, Kc => true
  | Vm x, Vm y => Nat.eqb x y
  | _, _ => false
  end.

Lemma own_eqb_spec : forall a b, own_eqb a b = true <-> a = b.
Proof.
  destruct a, b; simpl; split; intro H; try congruence; try reflexivity.
  - apply Nat.eqb_eq in H. subst. reflexivity.
  - inversion H. apply Nat.eqb_refl.
Qed.

(* Control state: everything but page contents. *)
Record ctl := {
  owner : nat -> own;          (* kc_page.owner *)
  share : nat -> nat;          (* kc_page.share_count *)
  gfn   : nat -> nat;          (* kc_page.gfn *)
  s2    : nat -> nat -> option nat;  (* VM v's stage-2: gfn -> page (s2m in the WP proofs) *)
  hmap  : nat -> bool;         (* host's stage-2 maps page p (identity) *)
  dying : nat -> bool          (* kc_vm.state == DYING *)
}.
Record st := { c : ctl; mem : nat -> nat }.

Definition upd {A} (f : nat -> A) (x : nat) (y : A) : nat -> A :=
  fun z => if Nat.eqb z x then y else f z.
Definition upd2 {A} (f : nat -> nat -> A) (v g : nat) (y : A) : nat -> nat -> A :=
  fun v' g' => if Nat.eqb v' v && Nat.eqb g' g then y else f v' g'.

Inductive hc :=
| Donate (v p g : nat)     (* mem_host_donate_vm   (KC_HC_VM_MAP, KC_HC_VM_LOAD_PAGE) *)
| Share (v g : nat)        (* mem_vm_share_host    (KC_GC_MEM_SHARE) *)
| Unshare (v g : nat)      (* mem_vm_unshare_host  (KC_GC_MEM_UNSHARE) *)
| Reclaim (v p : nat)      (* mem_host_reclaim_vm  (KC_HC_VM_RECLAIM) *)
| Destroy (v : nat)        (* vm_destroy: -> DYING (KC_HC_VM_DESTROY) *)
| HostFault (p : nat)      (* mem_host_fault       (kcore_host_abort) *)
| HostWrite (p d : nat)    (* a host store through its stage-2 (hardware) *)
| GuestWrite (v g d : nat). (* a guest store through its stage-2 (hardware) *)

Definition actor (h : hc) : own :=
  match h with
  | Share v _ | Unshare v _ | GuestWrite v _ _ => Vm v
  | _ => Host
  end.

Definition is_vm (o : own) : bool := match o with Vm _ => true | _ => false end.

Definition step (s : st) (h : hc) : st :=
  let k := c s in
  match h with
  | Donate v p g =>
      if own_eqb (owner k p) Host && negb (dying k v) && Nat.eqb (share k p) 0 &&
         match s2 k v g with None => true | Some _ => false end
      then {| c := {| owner := upd (owner k) p (Vm v); share := share k; gfn := upd (gfn k) p g;
                      s2 := upd2 (s2 k) v g (Some p); hmap := upd (hmap k) p false;
                      dying := dying k |}; mem := mem s |}
      else s
  | Share v g =>
      match s2 k v g with
      | Some p => if negb (dying k v) then
          {| c := {| owner := owner k; share := upd (share k) p (S (share k p)); gfn := gfn k;
                     s2 := s2 k; hmap := hmap k; dying := dying k |}; mem := mem s |}
          else s
      | None => s
      end
  | Unshare v g =>
      match s2 k v g with
      | Some p => if negb (dying k v) && negb (Nat.eqb (share k p) 0) then
          {| c := {| owner := owner k; share := upd (share k) p (pred (share k p)); gfn := gfn k;
                     s2 := s2 k;
                     hmap := if Nat.eqb (pred (share k p)) 0 then upd (hmap k) p false else hmap k;
                     dying := dying k |}; mem := mem s |}
          else s
      | None => s
      end
  | Reclaim v p =>
      if dying k v && own_eqb (owner k p) (Vm v) then
        {| c := {| owner := upd (owner k) p Host; share := upd (share k) p 0;
                   gfn := upd (gfn k) p 0; s2 := upd2 (s2 k) v (gfn k p) None;
                   hmap := upd (hmap k) p false; dying := dying k |};
           mem := upd (mem s) p 0 |}          (* INV-5: arch_page_zero before the host gets it *)
      else s
  | Destroy v =>
      {| c := {| owner := owner k; share := share k; gfn := gfn k; s2 := s2 k; hmap := hmap k;
                 dying := upd (dying k) v true |}; mem := mem s |}
  | HostFault p =>
      if own_eqb (owner k p) Host || (is_vm (owner k p) && negb (Nat.eqb (share k p) 0)) then
        {| c := {| owner := owner k; share := share k; gfn := gfn k; s2 := s2 k;
                   hmap := upd (hmap k) p true; dying := dying k |}; mem := mem s |}
      else s
  | HostWrite p d => if hmap k p then {| c := k; mem := upd (mem s) p d |} else s
  | GuestWrite v g d =>
      match s2 k v g with
      | Some p => if negb (dying k v) then {| c := k; mem := upd (mem s) p d |} else s
      | None => s
      end
  end.

(* INV-1 (both directions), INV-2 and the share-count invariant, as in proofs/wp/mem_wp.c. *)
Definition inv (k : ctl) : Prop :=
  (forall v g p, s2 k v g = Some p -> owner k p = Vm v /\ gfn k p = g) /\
  (forall p v, owner k p = Vm v -> s2 k v (gfn k p) = Some p) /\
  (forall p, hmap k p = true -> owner k p = Host \/ (is_vm (owner k p) = true /\ share k p <> 0)) /\
  (forall p, share k p <> 0 -> is_vm (owner k p) = true).

Ltac simpl_upd :=
  unfold upd, upd2 in *;
  repeat match goal with
  | |- context [Nat.eqb ?a ?b] => destruct (Nat.eqb_spec a b); subst
  | H : context [Nat.eqb ?a ?b] |- _ => destruct (Nat.eqb_spec a b); subst
  end; simpl in *.

Ltac split_ifs :=
  repeat match goal with
  | H : (_ && _) = true |- _ => apply andb_prop in H; destruct H
  | H : negb _ = true |- _ => apply negb_true_iff in H
  | H : own_eqb _ _ = true |- _ => apply own_eqb_spec in H
  | H : Nat.eqb _ _ = true |- _ => apply Nat.eqb_eq in H
  | H : Nat.eqb _ _ = false |- _ => apply Nat.eqb_neq in H
  | |- context [if ?b then _ else _] => destruct b eqn:?
  | |- context [match ?o with Some _ => _ | None => _ end] => destruct o eqn:?
  end.

Ltac use_inv I1 I1r I2 Ish :=
  repeat match goal with
  | H : s2 _ _ _ = Some _ |- _ => let A := fresh in let B := fresh in
      destruct (I1 _ _ _ H) as [A B]; clear H
  | H : hmap _ _ = true |- _ => let A := fresh in destruct (I2 _ H) as [A|[A ?]]; clear H
  end.

Theorem step_inv : forall s h, inv (c s) -> inv (c (step s h)).
Proof.
  intros [k m] h (I1 & I1r & I2 & Ish). simpl in I1, I1r, I2, Ish.
  destruct h; simpl; split_ifs; simpl; try (exact (conj I1 (conj I1r (conj I2 Ish))));
    unfold inv; simpl; (split; [|split; [|split]]); intros; simpl_upd; simpl in *;
    try congruence; try lia; auto.
  all: try match goal with H : match ?o with Some _ => false | None => true end = true |- _ =>
         destruct o eqn:?; [discriminate|] end.
  all: try (use_inv I1 I1r I2 Ish; simpl in *; try congruence; try lia; auto; fail).
  all: first
    [ (* Donate: the page now owned by v was not mapped at g *)
      match goal with H3 : owner _ ?q = Vm _, E : s2 _ _ _ = None |- _ =>
        rewrite (I1r _ _ H3) in E; discriminate end
    | (* Unshare: a share count still positive *) apply Ish; lia
    | (* Reclaim: two pages of v at one gfn would contradict INV-1 *)
      match goal with H1 : owner _ ?a = Vm ?w, H2 : owner _ ?b = Vm ?w, N : ?b <> ?a |- _ =>
        pose proof (I1r _ _ H1); pose proof (I1r _ _ H2); congruence end
    | (* Share: the shared page is v's *)
      match goal with H : s2 _ _ _ = Some ?n |- is_vm (owner _ ?n) = true =>
        destruct (I1 _ _ _ H) as [A _]; rewrite A; reflexivity end
    | (* HostFault: the host may map only its own or shared pages *)
      match goal with |- owner ?k ?p = Host \/ _ =>
        destruct (owner k p) eqn:E; simpl in *; rewrite ?andb_false_r in *; simpl in *;
        [ left; reflexivity | discriminate | discriminate ] || (destruct (owner k p) eqn:E; simpl in *;
        [ left; reflexivity | discriminate
        | right; split; [reflexivity|];
          match goal with H : negb _ = true |- _ => apply negb_true_iff, Nat.eqb_neq in H; exact H end ])
      end ].
Qed.

(* A page is private to principal u: u owns it and shares it with nobody. *)
Definition private (k : ctl) (u : own) (p : nat) : Prop := owner k p = u /\ share k p = 0.

(* s and t differ at most in the contents of u's private pages. *)
Definition indist (u : own) (s t : st) : Prop :=
  c s = c t /\ forall p, ~ private (c s) u p -> mem s p = mem t p.

(* What principal a can read: the host reads pages its stage-2 maps; a live VM reads pages its
   stage-2 maps, by gfn. *)
Definition obs (a : own) (s : st) : nat -> option nat :=
  fun x => match a with
           | Host => if hmap (c s) x then Some (mem s x) else None
           | Vm v => if dying (c s) v then None else
                     match s2 (c s) v x with Some p => Some (mem s p) | None => None end
           | Kc => None
           end.

(* Confidentiality: nobody else observes u's private pages. *)
Theorem obs_indist : forall u a s t,
  inv (c s) -> indist u s t -> a <> u -> forall x, obs a s x = obs a t x.
Proof.
  intros u a [k m] [k' m'] (I1 & I1r & I2 & Ish) [Hc Hm] Ha x; simpl in *; subst k'.
  destruct a; simpl; auto.
  - destruct (hmap k x) eqn:E; auto. f_equal. apply Hm. intros [Ho Hs].
    destruct (I2 _ E) as [H|[H1 H2]]; [congruence|]. subst. auto.
  - destruct (dying k v); auto. destruct (s2 k v x) eqn:E; auto. f_equal. apply Hm.
    intros [Ho _]. destruct (I1 _ _ _ E) as [H _]. congruence.
Qed.

(* Confidentiality is kept by every step of another principal ("step consistency"). *)
Theorem step_indist : forall u s t h,
  inv (c s) -> indist u s t -> actor h <> u -> indist u (step s h) (step t h).
Proof.
  intros u [k m] [k' m'] h (I1 & I1r & I2 & Ish) [Hc Hm] Ha; simpl in *; subst k'.
  unfold indist; destruct h; simpl in *; split_ifs; simpl; split; auto;
    intros p' Hp; unfold private in *; simpl in *; simpl_upd; auto.
  all: try (apply Hm; intros [Ho Hs]; apply Hp; split; congruence).
  (* Share by another VM v: the page is v's (INV-1), so it is not private to u *)
  all: match goal with H : s2 _ _ _ = Some ?n |- _ ?n = _ ?n =>
         apply Hm; intros [Ho Hs]; destruct (I1 _ _ _ H); congruence end.
Qed.

(* Integrity: another principal's step leaves u's private pages as they were: the same owner,
   unshared, same contents; for a VM u also still mapped at the same gfn -- unless u is a dying
   VM whose pages the host reclaims (scrubbed: Reclaim zeroes them). *)
Definition alive (k : ctl) (u : own) : Prop :=
  match u with Vm v => dying k v = false | _ => True end.

Theorem step_integrity : forall u s h p,
  inv (c s) -> actor h <> u -> private (c s) u p ->
  (alive (c s) u \/ match h with Reclaim _ _ => False | _ => True end) ->
  private (c (step s h)) u p /\ mem (step s h) p = mem s p /\
  gfn (c (step s h)) p = gfn (c s) p.
Proof.
  intros u [k m] h p (I1 & I1r & I2 & Ish) Ha [Ho Hs] Hal; simpl in *.
  unfold private; destruct h; simpl in *; split_ifs; simpl; simpl_upd;
    repeat split; auto; try congruence.
  all: try (match goal with H : s2 _ _ _ = Some ?n |- _ =>
              destruct (I1 _ _ _ H); congruence end).
  all: try lia.
  all: try (match goal with H : hmap _ _ = true |- _ => destruct (I2 _ H) as [A|[A B]]; congruence end).
  all: try (match goal with H0 : owner _ ?q = Vm _, Hal : alive _ (owner _ ?q) \/ False |- _ =>
              destruct Hal as [Hal|Hal]; [rewrite H0 in Hal; simpl in Hal; congruence|contradiction] end).
Qed.

(* The three theorems over any run. *)
Fixpoint run (s : st) (hs : list hc) : st :=
  match hs with nil => s | cons h t => run (step s h) t end.

Theorem run_inv : forall hs s, inv (c s) -> inv (c (run s hs)).
Proof. induction hs; simpl; auto using step_inv. Qed.

Theorem run_indist : forall u hs s t,
  inv (c s) -> indist u s t -> (forall h, In h hs -> actor h <> u) ->
  indist u (run s hs) (run t hs) /\ forall a x, a <> u -> obs a (run s hs) x = obs a (run t hs) x.
Proof.
  induction hs as [|h hs IH]; intros s t Hi Hd Ha; simpl.
  - split; auto. intros. eapply obs_indist; eauto.
  - apply IH; auto using step_inv, step_indist with datatypes.
Qed.

Definition init : st :=
  {| c := {| owner := fun _ => Host; share := fun _ => 0; gfn := fun _ => 0;
             s2 := fun _ _ => None; hmap := fun _ => false; dying := fun _ => false |};
     mem := fun _ => 0 |}.

Theorem init_inv : inv (c init).
Proof. unfold inv; simpl; repeat split; intros; try discriminate; try congruence. Qed.

Print Assumptions run_indist.
Print Assumptions step_integrity.
Print Assumptions run_inv.
