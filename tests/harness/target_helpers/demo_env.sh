# Sourced by tests/harness/make/demo.sh and the playbooks_no_secrets integration target: point the example playbooks at the
# simulators whose endpoints.json is in $state, through the collection's environment variables, and write the demo's
# extra vars ($demo_vars: run the playbooks with -e "@$demo_vars"), which hold the test plumbing the playbooks of
# playbooks/ must not carry: the token directory and the fake docker/kubectl of tests/harness/fakes.
# Needs: $collection (the collection root), $state (the simulators' state directory), $demo_dir (a new 0700 directory).
endpoint() { python "$collection/tests/simulators/run.py" endpoint --state-dir "$state" "$1"; }

# The simulators' seeded demo accounts; a real user sets these in the environment or in AWX credentials.
export JMS_URL JMS_USERNAME=admin JMS_PASSWORD='Adm1n-Pass!'
JMS_URL=$(endpoint jms_url)
export DEEPFLOW_URL DEEPFLOW_FAUTHS_URL DEEPFLOW_FUSER_URL DEEPFLOW_EMAIL=admin@deepflow.local DEEPFLOW_PASSWORD=Df-Admin-Pass-1
DEEPFLOW_URL=$(endpoint deepflow_url) DEEPFLOW_FAUTHS_URL=$(endpoint deepflow_fauths_url) DEEPFLOW_FUSER_URL=$(endpoint deepflow_fuser_url)
# The fakes build their default world (tests/harness/fakes/fake_world.py) from the simulators' state.
export OPSAUTH_SIM_STATE="$state"
mkdir -p -m 0700 "$demo_dir"
demo_vars="$demo_dir/extra_vars.json"
python - "$demo_vars" "$demo_dir" "$collection/tests/harness/fakes" <<'PY'
import json, sys
path, demo_dir, fakes = sys.argv[1:]
with open(path, 'w') as handle:
    json.dump({'token_dir': demo_dir,
               'jumpserver_private_token_docker_binary': fakes + '/docker',
               'jumpserver_private_token_kubectl_binary': fakes + '/kubectl',
               'deepflow_permanent_token_kubectl_binary': fakes + '/kubectl'}, handle)
PY
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
