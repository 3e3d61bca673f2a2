#!/usr/bin/python3
"""A Python client built only from the .proto files against the real servers.

Generates Python code from proto/ (and the google/type, google/rpc and
grpc.health protos it imports) with protoc and Debian's grpc_python_plugin
into a temporary directory, starts the budget, KPI and subsidy servers on
free loopback ports with their own databases (and a redis-server of their
own when one is installed), and calls each service's main read and write
RPCs, checking the answers. Run with Debian's /usr/bin/python3
(python3-grpcio, python3-protobuf).

Usage: interop_test.py BUILD_DIR
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
GOOGLEAPIS = "/usr/share/gocode/src/github.com/gogo/googleapis"
PLUGIN = "/usr/bin/grpc_python_plugin"

checks = 0


def check(condition, what):
    """Counts a check; raises with `what` when it fails."""
    global checks
    if not condition:
        raise AssertionError(what)
    checks += 1


def generate(out_dir):
    """Generates *_pb2.py and *_pb2_grpc.py for every proto the client uses."""
    shien = sorted(os.path.relpath(p, os.path.join(ROOT, "proto"))
                   for p in glob.glob(os.path.join(ROOT, "proto/shien/**/*.proto"),
                                      recursive=True))
    google = ["google/type/date.proto", "google/type/fraction.proto",
              "google/rpc/status.proto", "google/rpc/code.proto",
              "google/rpc/error_details.proto"]
    health = ["grpc/health/v1/health.proto"]
    for includes, files in (([os.path.join(ROOT, "proto"), GOOGLEAPIS], shien),
                            ([GOOGLEAPIS], google),
                            ([os.path.join(ROOT, "third_party/proto")], health)):
        command = ["protoc"]
        for include in includes:
            command += ["-I", include]
        command += ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir,
                    "--plugin=protoc-gen-grpc_python=" + PLUGIN] + files
        subprocess.run(command, check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class System:
    """The three servers (and redis) as child processes in a temp dir."""

    def __init__(self, build_dir, work):
        self.build_dir = build_dir
        self.work = work
        self.processes = []

    def start_redis(self):
        if not shutil.which("redis-server"):
            return "off"
        port = free_port()
        self.processes.append(subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return "127.0.0.1:%d" % port
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def start(self, name, args):
        binary = os.path.join(self.build_dir, "services", name,
                              "shien_%s_server" % name)
        out = open(os.path.join(self.work, name + ".out"), "w+")
        log = open(os.path.join(self.work, name + ".log"), "w")
        # Servers that require authentication accept every caller in
        # development mode; servers without it ignore the variable.
        env = dict(os.environ, SHIEN_INSECURE_NO_AUTH="1")
        process = subprocess.Popen([binary, "--listen=127.0.0.1:0"] + args,
                                   stdout=out, stderr=log, env=env)
        self.processes.append(process)
        deadline = time.time() + 30
        while time.time() < deadline:
            out.seek(0)
            for line in out.read().splitlines():
                if line.startswith("LISTENING "):
                    return "127.0.0.1:" + line.split()[1]
            if process.poll() is not None:
                break
            time.sleep(0.05)
        with open(os.path.join(self.work, name + ".log")) as f:
            sys.stderr.write(f.read()[-3000:])
        raise RuntimeError(name + " server did not start")

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def run(build_dir, work):
    gen = os.path.join(work, "gen")
    os.makedirs(gen)
    generate(gen)
    sys.path.insert(0, gen)

    import grpc
    # grpc is a regular package, so the generated grpc/health/v1 modules are
    # added to its path (python3-grpcio ships no grpc_health).
    grpc.__path__.append(os.path.join(gen, "grpc"))
    from google.rpc import error_details_pb2, status_pb2
    from google.type import date_pb2
    from grpc.health.v1 import health_pb2, health_pb2_grpc
    from shien.budget.v1 import budget_service_pb2 as budget
    from shien.budget.v1 import budget_service_pb2_grpc as budget_grpc
    from shien.budget.v1 import expenditure_pb2
    from shien.kpi.v1 import kpi_service_pb2 as kpi
    from shien.kpi.v1 import kpi_service_pb2_grpc as kpi_grpc
    from shien.kpi.v1 import measurement_pb2
    from shien.subsidy.v1 import application_pb2
    from shien.subsidy.v1 import scheme_pb2
    from shien.subsidy.v1 import subsidy_service_pb2 as subsidy
    from shien.subsidy.v1 import subsidy_service_pb2_grpc as subsidy_grpc

    system = System(build_dir, work)
    try:
        data = os.path.join(ROOT, "data")
        redis = system.start_redis()
        common = ["--redis=" + redis, "--cache_prefix=interop-%d" % os.getpid(),
                  "--shutdown_grace_ms=1000"]
        budget_address = system.start("budget", common + [
            "--db=" + os.path.join(work, "budget.db"), "--plan_dir=" + data])
        kpi_address = system.start("kpi", common + [
            "--db=" + os.path.join(work, "kpi.db"), "--data_dir=" + data,
            "--budget_address=" + budget_address])
        subsidy_address = system.start("subsidy", common + [
            "--db=" + os.path.join(work, "subsidy.db"), "--data_dir=" + data,
            "--budget_address=" + budget_address,
            "--kpi_address=" + kpi_address])

        b = budget_grpc.BudgetServiceStub(grpc.insecure_channel(budget_address))
        k = kpi_grpc.KpiServiceStub(grpc.insecure_channel(kpi_address))
        s = subsidy_grpc.SubsidyServiceStub(grpc.insecure_channel(subsidy_address))
        timeout = 10

        # Health, per service name.
        for address, service in ((budget_address, "shien.budget.v1.BudgetService"),
                                 (kpi_address, "shien.kpi.v1.KpiService"),
                                 (subsidy_address, "shien.subsidy.v1.SubsidyService")):
            health = health_pb2_grpc.HealthStub(grpc.insecure_channel(address))
            answer = health.Check(health_pb2.HealthCheckRequest(service=service),
                                  timeout=timeout)
            check(answer.status == health_pb2.HealthCheckResponse.SERVING,
                  service + " serving")

        # Budget: the plan's figures.
        summary = b.GetBudgetSummary(
            budget.GetBudgetSummaryRequest(name="fiscalYears/2026/budgetSummary"),
            timeout=timeout)
        check(summary.total_yen == 1337734000, "FY2026 total 1,337,734千円")
        check(sum(row.budget_yen for row in summary.by_department)
              == summary.total_yen, "departments sum to the total")
        program = b.GetProgram(
            budget.GetProgramRequest(name="fiscalYears/2026/programs/3"),
            timeout=timeout)
        check(program.change_yen == -741000, "program 3 changed by ▲741千円")
        programs = b.ListPrograms(
            budget.ListProgramsRequest(parent="fiscalYears/2026", page_size=100),
            timeout=timeout)
        check(len(programs.programs) == 24, "24 programs")

        # Errors carry google.rpc details.
        try:
            b.GetProgram(budget.GetProgramRequest(
                name="fiscalYears/2026/programs/99"), timeout=timeout)
            check(False, "program 99 is NOT_FOUND")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
            details = dict(error.trailing_metadata()).get("grpc-status-details-bin")
            check(details is not None, "status details attached")
            status = status_pb2.Status.FromString(details)
            reasons = []
            for any_detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if any_detail.Unpack(info):
                    reasons.append((info.reason, info.domain))
            check(any(domain == "shien.budget.v1" for _, domain in reasons),
                  "ErrorInfo in domain shien.budget.v1: %r" % reasons)

        # Budget: expenditures through the client stream, once.
        def batches():
            for i in range(2):
                yield budget.RecordExpendituresRequest(expenditures=[
                    expenditure_pb2.Expenditure(
                        program="fiscalYears/2026/programs/11",
                        month=date_pb2.Date(year=2026, month=5 + i),
                        amount_yen=1500000 + i, request_id="py-voucher-%d" % i,
                        source_record_id="PY-%d" % i, description="interop")])
        recorded = b.RecordExpenditures(batches(), timeout=timeout)
        check(recorded.accepted_count == 2 and recorded.rejected_count == 0,
              "two records accepted: %s" % recorded)
        again = b.RecordExpenditures(batches(), timeout=timeout)
        check(again.duplicate_count == 2 and again.accepted_count == 0,
              "a resent stream adds nothing: %s" % again)
        execution = b.GetExecutionSummary(
            budget.GetExecutionSummaryRequest(
                name="fiscalYears/2026/executionSummary"), timeout=timeout)
        check(execution.total.executed_yen == 3000001, "executed 3,000,001 yen")
        check(execution.total.record_count == 2, "two records")
        listed = b.ListExpenditures(budget.ListExpendituresRequest(
            parent="fiscalYears/2026/programs/11"), timeout=timeout)
        check([e.source_record_id for e in listed.expenditures] == ["PY-0", "PY-1"],
              "records listed oldest first")

        # KPI: indicators, a measurement, progress.
        indicators = k.ListIndicators(kpi.ListIndicatorsRequest(
            parent="fiscalYears/2026/programs/17"), timeout=timeout)
        names = [i.name for i in indicators.indicators]
        consultations = "fiscalYears/2026/programs/17/indicators/consultations"
        check(consultations in names, "program 17 has consultations")
        measured = k.RecordMeasurements(iter([kpi.RecordMeasurementsRequest(
            measurements=[measurement_pb2.Measurement(
                indicator=consultations, month=date_pb2.Date(year=2026, month=4),
                value=231, kind=measurement_pb2.MEASUREMENT_KIND_ACTUAL,
                request_id="py-kpi-17-2026-04")])]), timeout=timeout)
        check(measured.accepted_count == 1, "measurement accepted: %s" % measured)
        values = k.ListMeasurements(kpi.ListMeasurementsRequest(
            parent=consultations), timeout=timeout)
        check([m.value for m in values.measurements] == [231], "value 231 stored")
        progress = k.GetIndicatorProgress(kpi.GetIndicatorProgressRequest(
            name="fiscalYears/2025/programs/9/indicators/consultations"),
            timeout=timeout)
        check(progress.progress_permille == 1663, "program 9: 166.3%")
        dashboard = k.GetKpiDashboard(kpi.GetKpiDashboardRequest(
            name="fiscalYears/2026/kpiDashboard"), timeout=timeout)
        check(len(dashboard.groups) > 0, "dashboard has groups")

        # Subsidy: schemes, a quote, an application to approval.
        schemes = s.ListSchemes(subsidy.ListSchemesRequest(
            parent="fiscalYears/2026"), timeout=timeout)
        scheme = "fiscalYears/2026/schemes/productivity"
        check(scheme in [x.name for x in schemes.schemes], "productivity scheme")
        s.UpdateRound(subsidy.UpdateRoundRequest(
            name=scheme + "/rounds/2",
            round=scheme_pb2.Round(
                call_start_date=date_pb2.Date(year=2026, month=4, day=1),
                call_end_date=date_pb2.Date(year=2027, month=3, day=31)),
            update_mask={"paths": ["call_start_date", "call_end_date"]},
            request_id="py-open-round-2"), timeout=timeout)
        applicant = application_pb2.Applicant(
            corporate_number="3180001031569", name="株式会社三重精工",
            head_office_prefecture="三重県",
            industry=application_pb2.INDUSTRY_MANUFACTURING_AND_OTHERS,
            capital_yen=10000000, employees=12)
        expenses = [
            application_pb2.Expense(category="machinery", description="包装機",
                                    amount_yen=1234567),
            application_pb2.Expense(category="publicity", amount_yen=300000)]
        quote = s.QuoteSubsidy(subsidy.QuoteSubsidyRequest(
            scheme=scheme, course="general", applicant=applicant,
            expenses=expenses), timeout=timeout)
        check(quote.eligible and quote.amount_yen == 767000,
              "quote 767,000 yen: %s" % quote)
        created = s.CreateApplication(subsidy.CreateApplicationRequest(
            parent=scheme, request_id="py-create",
            application=application_pb2.Application(
                round="2", course="general", applicant=applicant,
                expenses=expenses)), timeout=timeout)
        check(created.state == application_pb2.APPLICATION_STATE_DRAFT, "draft")
        submitted = s.SubmitApplication(subsidy.SubmitApplicationRequest(
            name=created.name, etag=created.etag, request_id="py-submit"),
            timeout=timeout)
        check(submitted.state == application_pb2.APPLICATION_STATE_SUBMITTED,
              "submitted")
        approved = s.ApproveApplication(subsidy.ApproveApplicationRequest(
            name=created.name, request_id="py-approve"), timeout=timeout)
        check(approved.state == application_pb2.APPLICATION_STATE_APPROVED
              and approved.approved_amount_yen == 767000, "approved 767,000 yen")
        stats = s.GetSchemeStats(subsidy.GetSchemeStatsRequest(
            name=scheme + "/stats"), timeout=timeout)
        check(stats.reserved_yen == 767000, "stats: 767,000 yen reserved")
        envelope = b.GetEnvelope(budget.GetEnvelopeRequest(
            name=approved.reservation.split("/reservations/")[0]),
            timeout=timeout)
        check(envelope.reserved_yen == 767000,
              "the budget service holds 767,000 yen: %s" % envelope)
    finally:
        system.stop()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build_dir = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="shien-interop-")
    try:
        run(build_dir, work)
    except Exception as error:  # pylint: disable=broad-except
        print("FAILED after %d checks: %s" % (checks, error))
        for log in sorted(glob.glob(os.path.join(work, "*.log"))):
            with open(log) as f:
                tail = f.read()[-1500:]
            print("--- " + os.path.basename(log) + "\n" + tail)
        sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("python interop: all %d checks passed" % checks)


if __name__ == "__main__":
    main()
