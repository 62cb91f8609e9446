// A flag that shows only once it has lasted: a round that ends within a moment (an offline
// probe, a quick refresh) never makes the status bar flicker; a longer one shows as busy.
import { useEffect, useState } from "react";

export function useLasting(flag: boolean, ms: number): boolean {
  const [lasting, setLasting] = useState(false);
  useEffect(() => {
    if (!flag) return;
    const timer = setTimeout(() => setLasting(true), ms);
    return () => {
      clearTimeout(timer);
      setLasting(false);
    };
  }, [flag, ms]);
  return flag && lasting;
}
