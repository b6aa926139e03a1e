package io.footfall.collector.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InflightBudgetTest {

    @Test
    void reservesUpToTheBudgetAndNeverBeyond() {
        InflightBudget budget = new InflightBudget(1000);
        assertTrue(budget.tryReserve(600));
        assertFalse(budget.tryReserve(401), "would exceed the budget: refused at once");
        assertTrue(budget.tryReserve(400));
        assertEquals(1000, budget.used());
        budget.release(600);
        assertEquals(400, budget.used());
    }

    @Test
    void readinessTurnsOffWhenLessThanATenthIsFree() {
        InflightBudget budget = new InflightBudget(1000);
        assertTrue(budget.tryReserve(900));
        assertFalse(budget.nearlyFull(), "exactly 90% used: still ready");
        assertTrue(budget.tryReserve(1));
        assertTrue(budget.nearlyFull());
        budget.release(901);
        assertFalse(budget.nearlyFull());
    }

    @Test
    void concurrentReservationsNeverOvershoot() throws InterruptedException {
        InflightBudget budget = new InflightBudget(10_000);
        Thread[] threads = new Thread[4];
        java.util.concurrent.atomic.AtomicLong granted = new java.util.concurrent.atomic.AtomicLong();
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (budget.tryReserve(7)) {
                        granted.addAndGet(7);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(granted.get() <= 10_000);
        assertEquals(granted.get(), budget.used());
    }
}
