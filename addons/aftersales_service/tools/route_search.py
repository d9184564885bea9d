"""The search behind :class:`~.route_planning.RoutePlanner`, on plain numbers.

Times are minutes since a midnight, distances are km, and every place (the
jobs first, then the homes and the booked visits) is an index in two square
matrices: ``km[a][b]`` and ``minutes[a][b]`` (the drive). Nothing here knows
about datetimes, so the inner loops stay cheap.

:class:`Shift` is a worker's day, :class:`Problem` holds the jobs and the
shifts, and :func:`search` improves a plan by ruin and recreate: strings of
neighbouring visits are taken out of a few rounds and put back one by one at
their cheapest feasible place, and the new plan is kept under a simulated
annealing rule. An unplanned job costs more than any amount of travel, the more
urgent the more it costs, so the search first places as many jobs as it can,
the urgent ones first, then shortens the travel.

When ruin and recreate stop placing more jobs (as many rounds as there are jobs,
and at least 1,000, without fewer left out), the search also exchanges: a job
left out takes the place of a string of at most three neighbouring visits of a
round, those left out least often so far, and they go elsewhere when they fit or
wait their turn to be exchanged. From then on no round is kept that leaves out
more than the one before, except by an exchange; once every job is in, the
annealing starts again over the time left.

A worker with a single free interval and no booked visit (the usual case) is
checked in constant time per insertion: the earliest end of each visit going
forward and the latest start that keeps the rest of the round on time going
backward. Any other worker is checked by :meth:`Problem.simulate`, which walks
the whole day.
"""

import math
import time

EPS = 1e-6
# temperatures of the simulated annealing at the start and at the end, times the mean distance between jobs
HOT, COLD = 2.0, 0.02
# the price of a job left out while searching, times the mean distance between jobs
SOFT = 4.0
# how often a search overlooks a better place for a job
BLINK = 0.01
# how often a search puts a job left out in the place of another one, while jobs are left out
EJECT = 0.3
# after how many rounds without fewer jobs left out (times the number of jobs, and at least
# STALL_ROUNDS) the exchanges start
STALL, STALL_ROUNDS = 1, 1000
# the longest string of jobs that makes room for a job left out
EJECT_LONGEST = 3
# how many places before or after that string the job left out may go
EJECT_AROUND = 1
DAY_MINUTES = 1440.0


class Shift:
    """A worker's day in minutes.

    ``free``: sorted disjoint (start, end); ``before[k]``: (place, end) of the latest
    booking that ends at or before ``free[k]`` starts, or None; ``after[k]``: (place,
    start) of the first booking that starts at or after ``free[k]`` ends, or None.
    """

    __slots__ = ("after", "before", "booked", "capacity", "fast", "free", "home", "returns")

    def __init__(self, home, free, capacity, returns, bookings=()):
        self.home = home
        self.free = free
        self.capacity = capacity
        self.returns = returns
        self.before = []
        self.after = []
        for start, end in free:
            ended = [(b_end, place) for _b_start, b_end, place in bookings if b_end <= start + EPS]
            starting = [(b_start, place) for b_start, _b_end, place in bookings if b_start >= end - EPS]
            self.before.append((max(ended)[1], max(ended)[0]) if ended else None)
            self.after.append((min(starting)[1], min(starting)[0]) if starting else None)
        self.booked = bool(bookings)
        self.fast = len(free) == 1 and not bookings


class Route:
    """One worker's visits in order, with what the checks need (see :meth:`Problem.refresh`)."""

    __slots__ = ("cost", "ends", "latest", "load", "seq")

    def __init__(self, seq):
        self.seq = seq
        self.cost = 0.0
        self.load = 0
        self.ends = ()
        self.latest = ()


class Problem:
    """Jobs ``0..n-1`` (duration, window, demand, penalty if unplanned, allowed shifts) and shifts."""

    def __init__(self, jobs, shifts, km, minutes, step=0.0):
        # jobs: list of (duration, early, late, demand, penalty, candidates)
        self.n = len(jobs)
        self.dur = [job[0] for job in jobs]
        self.early = [job[1] for job in jobs]
        self.late = [job[2] for job in jobs]
        self.demand = [job[3] for job in jobs]
        self.penalty = [job[4] for job in jobs]
        self.candidates = [tuple(job[5]) for job in jobs]
        self.shifts = shifts
        self.km = km
        self.minutes = minutes
        self.step = step or 0.0

    # ------------------------------------------------------------------
    # Time grid
    # ------------------------------------------------------------------

    def up(self, moment):
        step = self.step
        if not step:
            return moment
        midnight = math.floor(moment / DAY_MINUTES) * DAY_MINUTES
        return midnight + math.ceil((moment - midnight) / step - 1e-9) * step

    def down(self, moment):
        step = self.step
        if not step:
            return moment
        midnight = math.floor(moment / DAY_MINUTES) * DAY_MINUTES
        return midnight + math.floor((moment - midnight) / step + 1e-9) * step

    # ------------------------------------------------------------------
    # A whole day, exactly
    # ------------------------------------------------------------------

    def simulate(self, w, seq):
        """``(cost, starts, kms, trips_km)`` of ``seq`` done by shift ``w``, or None when it does not fit.

        Each visit starts as early as it can: in the first free interval where it fits,
        after the drive from the previous place (the previous visit, the home, or a
        booking that ended since), on the time grid and within its window, with the
        drive to the next booking (and home, after the last visit, when the worker
        returns) before that interval ends.
        """
        shift = self.shifts[w]
        if not seq:
            return 0.0, [], [], 0.0
        free = shift.free
        if not free or sum(self.demand[j] for j in seq) > shift.capacity:
            return None
        km, minutes, dur, early, late = self.km, self.minutes, self.dur, self.early, self.late
        place, last_end, position = shift.home, None, 0
        starts, kms, origins, intervals, last = [], [], [], [], len(seq) - 1
        for index, job in enumerate(seq):
            while position < len(free):
                begin, finish = free[position]
                booked = shift.before[position]
                if booked is not None and (last_end is None or booked[1] >= last_end - EPS):
                    origin, leave = booked
                else:
                    origin, leave = place, (free[0][0] if last_end is None else last_end)
                start = self.up(max(leave + minutes[origin][job], begin, early[job]))
                if start > late[job] + EPS:
                    return None
                end = start + dur[job]
                fits = end <= finish + EPS
                after = shift.after[position]
                if fits and after is not None:
                    fits = end + minutes[job][after[0]] <= after[1] + EPS
                if fits and index == last and shift.returns:
                    fits = end + minutes[job][shift.home] <= finish + EPS
                if fits:
                    break
                position += 1
            else:
                return None
            starts.append(start)
            kms.append(km[origin][job])
            origins.append(origin)
            intervals.append(position)
            place, last_end = job, end
        trips = km[place][shift.home] if shift.returns else 0.0
        for index, job in enumerate(seq):
            after = shift.after[intervals[index]]
            if after is None:
                continue
            if index == last and not shift.returns or index < last and origins[index + 1] != job:
                trips += km[job][after[0]]  # the drive to the booking that comes next
        return sum(kms) + trips, starts, kms, trips

    # ------------------------------------------------------------------
    # Rounds and insertions
    # ------------------------------------------------------------------

    def refresh(self, w, route, old=None, front=0, back=0):
        """Fill the cost, the load and, for a simple shift, the forward ends and backward latest starts.

        ``old``: the route this one was made from, whose first ``front`` ends and last
        ``back`` latest starts are still right (the rest of the round did not change).
        """
        shift, seq, demand = self.shifts[w], route.seq, self.demand
        route.load = sum([demand[j] for j in seq])
        if not shift.fast:
            result = self.simulate(w, seq)
            route.cost = result[0] if result else math.inf
            return route
        km, minutes, dur, early, late, step = self.km, self.minutes, self.dur, self.early, self.late, self.step
        begin, finish = shift.free[0]
        home, returns, size = shift.home, shift.returns, len(seq)
        if old is None:
            front = back = 0
        # forward: the earliest end of each job
        ends = old.ends[:front] if front else []
        clock, place = (ends[-1], seq[front - 1]) if front else (begin, home)
        for job in seq[front:]:
            start = clock + minutes[place][job]
            if start < early[job]:
                start = early[job]
            if step:
                start = self.up(start)
            clock = start + dur[job]
            ends.append(clock)
            place = job
        # backward: the latest start of each job that keeps the rest on time
        latest = [0.0] * size
        if back:
            latest[size - back :] = old.latest[len(old.seq) - back :]
        last = size - back - 1
        if last >= 0:
            if back:
                bound = latest[last + 1] - minutes[seq[last]][seq[last + 1]]
            else:
                bound = finish - (minutes[place][home] if returns else 0.0)
            for index in range(last, -1, -1):
                job = seq[index]
                value = bound - dur[job]
                if late[job] < value:
                    value = late[job]
                if step:
                    value = self.down(value)
                latest[index] = value
                if index:
                    bound = value - minutes[seq[index - 1]][job]
        cost = sum([km[a][b] for a, b in zip([home, *seq], seq, strict=False)])
        if returns and size:
            cost += km[seq[-1]][home]
        route.cost, route.ends, route.latest = cost, ends, latest
        return route

    def best_insertion(self, job, routes, best=math.inf, blink=None, among=None):
        """The cheapest feasible ``(extra cost, shift, position)`` for ``job``, or None.

        ``blink``: a random number generator; each better place is then overlooked once
        in a hundred times, so that a search tries other plans. ``among``: the shifts to
        try (by default the job's candidates); ``routes`` needs only theirs.
        """
        found = None
        km, minutes = self.km, self.minutes
        duration, demand, step = self.dur[job], self.demand[job], self.step
        for w in self.candidates[job] if among is None else among:
            shift, route = self.shifts[w], routes[w]
            if route.load + demand > shift.capacity or not shift.free:
                continue
            seq = route.seq
            if not shift.fast:
                home, returns = shift.home, shift.returns
                for position in range(len(seq) + 1):
                    if not shift.booked:
                        # without bookings the extra km are known before the walk through the day
                        previous = seq[position - 1] if position else home
                        following = seq[position] if position < len(seq) else (home if returns else None)
                        extra = km[previous][job]
                        if following is not None:
                            extra += km[job][following] - km[previous][following]
                        if extra >= best - EPS:
                            continue
                    result = self.simulate(w, seq[:position] + [job] + seq[position:])
                    if result is not None and result[0] - route.cost < best - EPS:
                        best, found = result[0] - route.cost, (result[0] - route.cost, w, position)
                continue
            begin, finish = shift.free[0]
            home, returns = shift.home, shift.returns
            early = max(self.early[job], begin)
            late = self.down(min(self.late[job], finish - duration))
            if early > late + EPS:
                continue
            ends, latest = route.ends, route.latest
            row_km, row_minutes = km[job], minutes[job]
            late += EPS
            previous, previous_end, size = home, begin, len(seq)
            for position in range(size):
                following = seq[position]
                around = km[previous]
                extra = around[job] + row_km[following] - around[following]
                if extra < best - EPS:
                    start = previous_end + minutes[previous][job]
                    if start < early:
                        start = early
                    if step:
                        start = self.up(start)
                    if start <= late and start + duration + row_minutes[following] <= latest[position] + EPS:
                        if blink is None or blink.random() >= BLINK:
                            best, found = extra, (extra, w, position)
                previous, previous_end = following, ends[position]
                if previous_end > late:
                    break
            else:
                # at the end of the round
                extra = km[previous][job] + (row_km[home] - km[previous][home] if returns else 0.0)
                if extra < best - EPS:
                    start = previous_end + minutes[previous][job]
                    if start < early:
                        start = early
                    if step:
                        start = self.up(start)
                    if start <= late and (not returns or start + duration + row_minutes[home] <= finish + EPS):
                        if blink is None or blink.random() >= BLINK:
                            best, found = extra, (extra, w, size)
        return found

    def exchange(self, w, route, job, first, last, position):
        """The extra cost of round ``w`` when ``job`` takes the place of its jobs ``first..last``, or None.

        ``job`` goes at ``position`` of the jobs left in the round. A simple shift is checked
        by walking only the jobs between that position and the string taken out.
        """
        seq = route.seq
        if position <= first:
            begin_at, walked, rest = position, [job, *seq[position:first]], last + 1
        else:
            rest = last + 1 + position - first
            begin_at, walked = first, [*seq[last + 1 : rest], job]
        shift = self.shifts[w]
        if not shift.fast:
            result = self.simulate(w, seq[:begin_at] + walked + seq[rest:])
            return None if result is None else result[0] - route.cost
        km, minutes, dur, early, late = self.km, self.minutes, self.dur, self.early, self.late
        home, finish = shift.home, shift.free[0][1]
        start_place = place = seq[begin_at - 1] if begin_at else home
        clock = route.ends[begin_at - 1] if begin_at else shift.free[0][0]
        extra = 0.0
        for other in walked:
            start = clock + minutes[place][other]
            if start < early[other]:
                start = early[other]
            if self.step:
                start = self.up(start)
            if start > late[other] + EPS:
                return None
            clock = start + dur[other]
            extra += km[place][other]
            place = other
        following = seq[rest] if rest < len(seq) else (home if shift.returns else None)
        if following is None:
            if clock > finish + EPS:
                return None
        else:
            bound = route.latest[rest] if rest < len(seq) else finish
            if clock + minutes[place][following] > bound + EPS:
                return None
            extra += km[place][following]
        # less the km of the old round over the same stretch
        place = start_place
        for other in seq[begin_at:rest]:
            extra -= km[place][other]
            place = other
        if following is not None:
            extra -= km[place][following]
        return extra


class _State:
    """A plan being searched: the rounds, where each job is, and the jobs left out."""

    def __init__(self, problem, routes, unplanned):
        self.problem = problem
        self.routes = routes
        self.unplanned = unplanned  # job -> True, in the order they were left out
        self.where = [-1] * problem.n
        for w, route in enumerate(routes):
            for job in route.seq:
                self.where[job] = w

    def cost(self, penalty=None):
        penalty = self.problem.penalty if penalty is None else penalty
        return sum(route.cost for route in self.routes) + sum(penalty[j] for j in self.unplanned)

    def replace(self, w, seq, saved, front=0, back=0):
        """Round ``w`` becomes ``seq``; its first ``front`` and last ``back`` jobs keep their times."""
        old = self.routes[w]
        if w not in saved:
            saved[w] = old
        self.routes[w] = self.problem.refresh(w, Route(seq), old, front, back)

    def insert(self, jobs, saved, blink=None):
        problem = self.problem
        for job in jobs:
            best = problem.best_insertion(job, self.routes, blink=blink)
            if best is None:
                self.unplanned[job] = True
                self.where[job] = -1
                continue
            _extra, w, position = best
            seq = self.routes[w].seq
            self.replace(w, seq[:position] + [job] + seq[position:], saved, position, len(seq) - position)
            self.where[job] = w
            self.unplanned.pop(job, None)

    def eject(self, job, absence, saved, longest=EJECT_LONGEST, around=EJECT_AROUND, anywhere=False):
        """Put ``job`` in a round in the place of a few neighbouring jobs, which are left out instead.

        The jobs taken out are a string of at most ``longest`` jobs of one round, those left
        out least often (``absence``), then the shortest string, then the exchange that adds
        the fewest km; never a job more urgent than ``job``. ``job`` goes where the string
        was, or up to ``around`` places before or after, or (``anywhere``: slower) at any
        place of the round. The jobs taken out go elsewhere when they fit. Returns whether
        an exchange was found.
        """
        problem = self.problem
        penalty, demand, shifts, late = problem.penalty, problem.demand, problem.shifts, problem.late[job]
        bound = penalty[job] + EPS
        chosen, chosen_key = None, None
        for w in problem.candidates[job]:
            shift, route = shifts[w], self.routes[w]
            if not shift.free or anywhere and not shift.fast:
                continue  # (a walk through the whole day for every place and string would be too slow)
            seq, ends = route.seq, route.ends
            size = len(seq)
            room = shift.capacity - route.load - demand[job]
            for first in range(size):
                if shift.fast and not anywhere and first > around and ends[first - around - 1] > late:
                    break  # the job would start too late there and further on
                absent = freed = 0
                for last in range(first, min(first + longest, size)):
                    other = seq[last]
                    if penalty[other] > bound:
                        break
                    absent += absence[other]
                    freed += demand[other]
                    if chosen_key is not None and absent > chosen_key[0]:
                        break
                    if freed + room < 0:
                        continue
                    if anywhere:
                        shorter = Route(seq[:first] + seq[last + 1 :])
                        problem.refresh(w, shorter, route, first, size - last - 1)
                        found = problem.best_insertion(job, {w: shorter}, among=(w,))
                        if found is not None:
                            key = (absent, last - first, shorter.cost + found[0] - route.cost)
                            if chosen_key is None or key < chosen_key:
                                chosen, chosen_key = (w, first, last, found[2]), key
                        continue
                    left = size - last + first - 1  # the jobs left in the round
                    for position in range(max(first - around, 0), min(first + around, left) + 1):
                        extra = problem.exchange(w, route, job, first, last, position)
                        if extra is None:
                            continue
                        key = (absent, last - first, extra)
                        if chosen_key is None or key < chosen_key:
                            chosen, chosen_key = (w, first, last, position), key
        if chosen is None:
            return False
        w, first, last, position = chosen
        seq = self.routes[w].seq
        taken = seq[first : last + 1]
        rest = seq[:first] + seq[last + 1 :]
        front, back = min(first, position), len(rest) - max(first, position)
        self.replace(w, rest[:position] + [job] + rest[position:], saved, front, back)
        self.where[job] = w
        self.unplanned.pop(job, None)
        for other in taken:
            self.where[other] = -1
            self.unplanned[other] = True
        self.insert(taken, saved)
        return True


def construct(problem, order):
    """Every job in ``order`` at its cheapest feasible place in turn."""
    routes = [problem.refresh(w, Route([])) for w in range(len(problem.shifts))]
    state = _State(problem, routes, {})
    state.insert(order, {})
    return state


def search(problem, order, rng, time_limit=0.5, max_iterations=2000, patience=None):
    """Rounds (one list of jobs per shift) and the jobs left out, after ruin and recreate.

    ``order``: the jobs by urgency, the most urgent first (the order of the first plan).
    Stops after ``max_iterations``, ``time_limit`` seconds, or ``patience`` iterations
    without a better plan.
    """
    started = time.perf_counter()
    state = construct(problem, order)
    n = problem.n
    if n == 0:
        return [[] for _ in problem.shifts], []
    if patience is None:
        patience = max(1000, 100 * n)
    neighbours = [sorted((o for o in range(n) if o != j), key=problem.km[j].__getitem__) for j in range(n)]
    # the temperature follows the distances between jobs
    scale = sum(sum(problem.km[j][:n]) for j in range(n)) / max(n * (n - 1), 1)
    hot, cold = HOT * scale + EPS, COLD * scale + EPS
    # while jobs are left out, the search may leave one more out for a while, at the price of a
    # long detour (SOFT mean distances, the urgent dearer); once every job is in, never again.
    # The best plan is always the one that leaves out the fewest.
    lowest = min(problem.penalty, default=1.0)
    soft = [SOFT * scale * weight / lowest for weight in problem.penalty] if state.unplanned else None
    best_cost = state.cost()
    current = state.cost(soft)
    best = ([list(route.seq) for route in state.routes], list(state.unplanned))
    last_better = last_fewer = 0
    # exchanges of jobs left out start once ruin and recreate alone stopped placing more
    stall = max(STALL * n, STALL_ROUNDS)
    exchanging, cooling = False, (0, 0.0)  # the annealing starts again once the exchanges placed all
    absence = [0] * n  # how often each job was left out: the often left out go back first
    for iteration in range(max_iterations):
        elapsed = time.perf_counter() - started
        if elapsed >= time_limit or iteration - last_better > patience:
            break
        since, since_time = cooling
        progress = max(
            (iteration - since) / (max_iterations - since),
            (elapsed - since_time) / (time_limit - since_time) if time_limit else 1.0,
        )
        temperature = hot * (cold / hot) ** progress
        saved, unplanned_before = {}, dict(state.unplanned)
        ejected = False
        if state.unplanned and iteration - last_fewer > stall and rng.random() < EJECT:
            if not exchanging:
                # from now on the search keeps every job it placed
                exchanging, soft, current = True, None, state.cost()
            # a job left out takes the place of jobs rarely left out
            waiting = list(state.unplanned)
            rng.shuffle(waiting)
            ejected = any(state.eject(job, absence, saved) for job in waiting)
            ejected = ejected or state.eject(waiting[0], absence, saved, anywhere=True)
        if not ejected:
            removed = _ruin(state, neighbours, rng, saved)
            state.insert(_recreate_order(problem, state, removed, rng, absence), saved, rng)
        for job in state.unplanned:
            absence[job] += 1
        cost = state.cost(soft)
        if ejected or cost < current - temperature * math.log(1.0 - rng.random()):
            current = cost
            if soft is not None and not state.unplanned:
                soft, current = None, state.cost()
            if exchanging and not state.unplanned:
                exchanging, cooling = False, (iteration, elapsed)
            cost = state.cost()
            if cost < best_cost - EPS:
                if len(state.unplanned) < len(best[1]):
                    last_fewer = iteration
                best_cost, last_better = cost, iteration
                best = ([list(route.seq) for route in state.routes], list(state.unplanned))
        else:
            for w, route in saved.items():
                state.routes[w] = route
                for job in route.seq:
                    state.where[job] = w
            state.unplanned = unplanned_before
            for job in unplanned_before:
                state.where[job] = -1
    return best


def _ruin(state, neighbours, rng, saved, mean_removed=10, longest=10):
    """Take strings of neighbouring jobs out of a few rounds (slack induced string removal)."""
    planned = [job for job, w in enumerate(state.where) if w >= 0]
    if not planned:
        return []
    used = [route for route in state.routes if route.seq]
    size = min(longest, len(planned) / len(used))
    strings = int(rng.uniform(1, 4 * mean_removed / (1 + size)))
    if state.unplanned and rng.random() < 0.5:
        # make room around a job left out
        left_out = rng.choice(list(state.unplanned))
        seed = next((job for job in neighbours[left_out] if state.where[job] >= 0), rng.choice(planned))
    else:
        seed = rng.choice(planned)
    removed, ruined = [], set()
    for job in [seed, *neighbours[seed]]:
        if len(ruined) >= strings:
            break
        w = state.where[job]
        if w < 0 or w in ruined:
            continue
        seq = state.routes[w].seq
        length = int(rng.uniform(1, min(size, len(seq)) + 1))
        position = seq.index(job)
        first = rng.randint(max(0, position - length + 1), min(position, len(seq) - length))
        taken = seq[first : first + length]
        state.replace(w, seq[:first] + seq[first + length :], saved, first, len(seq) - first - length)
        for other in taken:
            state.where[other] = -1
        removed.extend(taken)
        ruined.add(w)
    return removed


def _recreate_order(problem, state, removed, rng, absence):
    """The removed jobs and those left out, in an order drawn among a few useful ones."""
    jobs = removed + [job for job in state.unplanned if job not in removed]
    draw = rng.random()
    if state.unplanned and draw < 0.3:
        jobs.sort(key=lambda j: -absence[j])
    elif draw < 0.35:
        rng.shuffle(jobs)
    elif draw < 0.6:
        jobs.sort(key=lambda j: -problem.demand[j])
    elif draw < 0.75:
        jobs.sort(key=lambda j: -_far(problem, j))
    elif draw < 0.85:
        jobs.sort(key=lambda j: problem.late[j])
    elif draw < 0.92:
        jobs.sort(key=lambda j: -problem.penalty[j])
    else:
        jobs.sort(key=lambda j: _far(problem, j))
    return jobs


def _far(problem, job):
    candidates = problem.candidates[job]
    return problem.km[job][problem.shifts[candidates[0]].home] if candidates else 0.0
