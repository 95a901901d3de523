# Sourced by tests/make/demo.sh and the playbooks_no_secrets integration target: point the example playbooks at the
# simulators whose endpoints.json is in $state, through the collection's environment variables.
# Needs: $collection (the collection root), $state (the simulators' state directory), $demo_dir (a new 0700 directory).
endpoint() { python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$state/endpoints.json" "$1"; }

# The simulators' seeded demo accounts; a real user sets these in the environment or in AWX credentials.
export JMS_URL JMS_USERNAME=admin JMS_PASSWORD='Adm1n-Pass!'
JMS_URL=$(endpoint jms_url)
export DEEPFLOW_URL DEEPFLOW_FAUTHS_URL DEEPFLOW_FUSER_URL DEEPFLOW_EMAIL=admin@deepflow.local DEEPFLOW_PASSWORD=Df-Admin-Pass-1
DEEPFLOW_URL=$(endpoint deepflow_url) DEEPFLOW_FAUTHS_URL=$(endpoint deepflow_fauths_url) DEEPFLOW_FUSER_URL=$(endpoint deepflow_fuser_url)
# The role playbooks use the fake docker/kubectl in tests/fakes, whose default world is built from the simulators' state.
export OPSAUTH_DEMO_DIR="$demo_dir" OPSAUTH_FAKE_BIN="$collection/tests/fakes" OPSAUTH_SIM_STATE="$state"
mkdir -p -m 0700 "$OPSAUTH_DEMO_DIR"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
