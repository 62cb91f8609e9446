//! A seeded byte mutator: turns valid answers into nearly valid ones — a flipped bit, a
//! lost or stray bracket, quote or backslash, a cut at every kind of place, a slice
//! repeated or spliced in from another answer. Deterministic for a given RNG.

use rand::Rng;
use rand::rngs::StdRng;

/// Bytes that change a JSON text's structure, plus the first bytes of numbers and
/// literals and bytes that are never valid (a form feed, a lone UTF-8 continuation, 0xff).
const STRUCTURAL: &[u8] = b"{}[]\",:\\ \t\n\r0-etn\x0c\x80\xff";

/// Short pieces that make a document look like another.
const SNIPPETS: [&[u8]; 12] = [
    b"\"tasks\":[",
    b"\"tasks\":",
    b",\"tasks\":[]",
    b"{}",
    b"[]",
    b"\\u",
    b"\\ud800",
    b"\\udc00\\ud800",
    b"null",
    b"1e999",
    b"-0.e",
    b"\xef\xbb\xbf",
];

/// Applies one to three mutations to `input`; `donor` is another answer to splice from.
pub fn mutate(input: &mut Vec<u8>, donor: &[u8], rng: &mut StdRng) {
    for _ in 0..rng.random_range(1..=3) {
        match rng.random_range(0..9) {
            0 => flip_bit(input, rng),
            1 => set_byte(input, rng),
            2 => delete_range(input, rng),
            3 => insert_structural(input, rng),
            4 => truncate(input, rng),
            5 => duplicate_slice(input, rng),
            6 => splice(input, donor, rng),
            7 => swap_bracket(input, rng),
            _ => insert_snippet(input, rng),
        }
    }
}

/// A position in `input`, ends included.
fn position(input: &[u8], rng: &mut StdRng) -> usize {
    rng.random_range(0..=input.len())
}

/// A range of at most `max` bytes in `input`.
fn range(input: &[u8], max: usize, rng: &mut StdRng) -> std::ops::Range<usize> {
    let start = position(input, rng);
    let len = rng.random_range(0..=max.min(input.len() - start));
    start..start + len
}

fn flip_bit(input: &mut [u8], rng: &mut StdRng) {
    if !input.is_empty() {
        let i = rng.random_range(0..input.len());
        input[i] ^= 1 << rng.random_range(0..8);
    }
}

fn set_byte(input: &mut [u8], rng: &mut StdRng) {
    if !input.is_empty() {
        let i = rng.random_range(0..input.len());
        input[i] = rng.random();
    }
}

fn delete_range(input: &mut Vec<u8>, rng: &mut StdRng) {
    let max = if rng.random_bool(0.8) { 4 } else { input.len() };
    let r = range(input, max, rng);
    input.drain(r);
}

fn insert_structural(input: &mut Vec<u8>, rng: &mut StdRng) {
    let at = position(input, rng);
    input.insert(at, STRUCTURAL[rng.random_range(0..STRUCTURAL.len())]);
}

/// Cuts the input just before or after a byte of a random class (an opening or closing
/// bracket, a quote, a separator, a backslash), or anywhere.
fn truncate(input: &mut Vec<u8>, rng: &mut StdRng) {
    const CLASSES: [&[u8]; 5] = [b"{[", b"}]", b"\"", b",:", b"\\"];
    let class = CLASSES[rng.random_range(0..CLASSES.len())];
    let at: Vec<usize> = (0..input.len())
        .filter(|&i| class.contains(&input[i]))
        .collect();
    let cut = if at.is_empty() || rng.random_bool(0.2) {
        position(input, rng)
    } else {
        at[rng.random_range(0..at.len())] + usize::from(rng.random_bool(0.5))
    };
    input.truncate(cut);
}

fn duplicate_slice(input: &mut Vec<u8>, rng: &mut StdRng) {
    let r = range(input, 64, rng);
    let slice = input[r].to_vec();
    let at = position(input, rng);
    input.splice(at..at, slice);
}

/// Replaces a slice of the input by a slice of the donor.
fn splice(input: &mut Vec<u8>, donor: &[u8], rng: &mut StdRng) {
    let from = range(donor, donor.len(), rng);
    let to = range(input, input.len(), rng);
    input.splice(to, donor[from].iter().copied());
}

/// Turns one bracket into another kind (`{` into `[`, `}` into `]` and back).
fn swap_bracket(input: &mut [u8], rng: &mut StdRng) {
    let at: Vec<usize> = (0..input.len())
        .filter(|&i| b"{}[]".contains(&input[i]))
        .collect();
    if let Some(&i) = at.get(rng.random_range(0..at.len().max(1))) {
        input[i] = match input[i] {
            b'{' => b'[',
            b'[' => b'{',
            b'}' => b']',
            _ => b'}',
        };
    }
}

fn insert_snippet(input: &mut Vec<u8>, rng: &mut StdRng) {
    let snippet = SNIPPETS[rng.random_range(0..SNIPPETS.len())];
    let at = position(input, rng);
    input.splice(at..at, snippet.iter().copied());
}
