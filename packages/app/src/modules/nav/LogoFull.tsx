import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  text: {
    fill: '#7df3e1',
    fontFamily: 'Helvetica, Arial, sans-serif',
    fontSize: 26,
    fontWeight: 700,
    letterSpacing: 1,
  },
});

/** The Shipyard word mark in the open sidebar. */
export const LogoFull = () => {
  const classes = useStyles();
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 170 30"
      height={30}
      role="img"
      aria-label="Shipyard"
    >
      <text x="0" y="24" className={classes.text}>
        Shipyard
      </text>
    </svg>
  );
};
